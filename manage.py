#!/usr/bin/env python
"""Development entry point; the installed `kepling` script does the same."""

from kepling.manage import main

if __name__ == "__main__":
    main()
