"""Test-only plugins: packages that plug into the forge like third-party ones."""
