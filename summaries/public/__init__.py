"""The public site: views, the reads behind them (``selectors``), the list page's state,
open data downloads, the feed, the sitemap and the page cache. See README.md."""
