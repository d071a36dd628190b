"""`python -m crawler` is `newsdedup`."""

from crawler.cli import main

main()
