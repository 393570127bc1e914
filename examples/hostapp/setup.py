from setuptools import find_packages, setup

setup(
    name="hostapp",
    version="0.1",
    description="An example Pyramid application that embeds PyForge",
    packages=find_packages(),
    package_data={"hostapp": ["templates/*.jinja2"]},
    install_requires=["pyforge"],
    entry_points={"paste.app_factory": ["main = hostapp:main"]},
)
