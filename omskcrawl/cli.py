"""`omskcrawl <command> ...`: the Scrapy command line with this project's settings.

An installed omskcrawl has no `scrapy.cfg` in the user's folder, so plain `scrapy`
would not know the project commands there. This entry point names the settings
module (unless `SCRAPY_SETTINGS_MODULE` already does) and hands over to Scrapy:
`omskcrawl replay --sample` works from any folder, exactly as `scrapy replay --sample`
does in a checkout.
"""

from __future__ import annotations

import os
import sys

SETTINGS_MODULE = "omskcrawl.settings"


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", SETTINGS_MODULE)
    from scrapy.cmdline import execute

    execute(["scrapy", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
