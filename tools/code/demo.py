"""The code tool's sample repository in the demo project (``config.add_demo_content``):
a README and a small program in three commits, made with the git binary."""
import os
import subprocess
import tempfile

from .repository import git_env, init_repository, repository_path

FILES = [
    ("Add a README", {"README.md": "# Demo repository\n\nClone it:\n\n"
                                    "    git clone http://127.0.0.1:6543/p/demo/code\n"}),
    ("Add hello.py", {"hello.py": 'def greet(name):\n    return "Hello, %s!" % name\n\n\n'
                                  'if __name__ == "__main__":\n    print(greet("world"))\n'}),
    ("Greet from the command line\n\nfixes #1", {
        "hello.py": 'import sys\n\n\ndef greet(name):\n    return "Hello, %s!" % name\n\n\n'
                    'if __name__ == "__main__":\n'
                    '    print(greet(sys.argv[1] if len(sys.argv) > 1 else "world"))\n'}),
]


def demo_content(registry, project, tool, admin):
    bare = init_repository(repository_path(registry, tool._id))
    env = dict(git_env(), GIT_AUTHOR_NAME=admin.display_name or admin.username,
               GIT_AUTHOR_EMAIL=admin.email or "admin@localhost",
               GIT_COMMITTER_NAME=admin.display_name or admin.username,
               GIT_COMMITTER_EMAIL=admin.email or "admin@localhost")
    with tempfile.TemporaryDirectory() as work:
        def run(*args):
            subprocess.run(["git", *args], cwd=work, env=env, check=True, capture_output=True)
        run("init", "--quiet", "--initial-branch=main")
        for message, files in FILES:
            for name, content in files.items():
                with open(os.path.join(work, name), "w") as f:
                    f.write(content)
            run("add", "--all")
            run("commit", "--quiet", "-m", message)
        run("push", "--quiet", bare, "main")
