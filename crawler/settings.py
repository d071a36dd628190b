"""Every Scrapy and NEWSDEDUP_* default, commented. CLI flags override these."""

BOT_NAME = "newsdedup"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# --- politeness -----------------------------------------------------------------------
USER_AGENT = "newsdedup/0.1 (+https://github.com/newsdedup/newsdedup)"
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5  # Scrapy's 5 s start is far too slow for a feed of 50 links
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.0
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

# --- limits and retries ---------------------------------------------------------------
DOWNLOAD_TIMEOUT = 30  # Scrapy's 180 s lets one dead server stall a cron window
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024  # abort bodies (after decompression) over 10 MiB
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 5
HTTPERROR_ALLOWED_CODES: list[int] = []

# --- engine ---------------------------------------------------------------------------
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
CONCURRENT_ITEMS = 32  # items in the pipelines at once: bounds in-flight extraction work

DOWNLOADER_MIDDLEWARES = {
    "crawler.ssrf.SsrfGuardMiddleware": 50,  # before robots.txt: check every hop first
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.fetchguard.RetryAfterMiddleware": 550,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.fetchguard.LeanMetaRefreshMiddleware": 580,  # Scrapy's slot; decodes less
}

DOWNLOADER = "crawler.downloader.PoliteDownloader"  # per-domain limits hold in bursts too
EXTENSIONS = {
    "crawler.fetchguard.NonHtmlStopper": 500,
    "crawler.progress.ProgressLine": 600,
}

SPIDER_MIDDLEWARES = {
    "crawler.middlewares.SeenUrlMiddleware": 800,
}

ITEM_PIPELINES = {
    "pipelines.extract.ExtractPipeline": 200,
    "pipelines.filters.QualityFilterPipeline": 300,
    "pipelines.dedup.DedupPipeline": 500,
    "pipelines.export.JsonlExportPipeline": 900,
}

# --- newsdedup ------------------------------------------------------------------------
# Shared crawl frontier: article requests in Redis when the state is redis://, else
# Scrapy's own scheduler (crawler.redis_frontier falls back by itself).
SCHEDULER = "crawler.redis_frontier.RedisFrontierScheduler"
NEWSDEDUP_SOURCES: list[str] = []  # feed URLs (CLI arguments or `-a urls=a,b`)
NEWSDEDUP_OUTPUT_DIR = "output"  # where articles-*.jsonl and duplicates-*.jsonl go
NEWSDEDUP_STATE_URL = None  # None: OUTPUT_DIR/.state.sqlite; a path; or redis://...
NEWSDEDUP_NAMESPACE = "newsdedup"  # Redis state: key prefix, one per project sharing a Redis
NEWSDEDUP_WORKER = None  # Redis state: this process's name, unique (default: host name)
NEWSDEDUP_REDIS_LEASE = (
    30.0  # Redis state: seconds without heartbeat before others recover a worker
)
NEWSDEDUP_FRONTIER_PREFETCH = 4  # Redis state: shared article requests one worker holds at once
NEWSDEDUP_RETENTION_DAYS = 0.0  # 0 keeps state forever; else evict keys older than this
NEWSDEDUP_WORKERS = 0  # extraction processes; 0 = one per CPU, 1 = in the crawl process
NEWSDEDUP_EXTRACT_TIMEOUT = 30.0  # seconds before a pathological page is abandoned
NEWSDEDUP_MIN_TEXT_CHARS = 250  # shorter extracted texts are not articles
NEWSDEDUP_LANGUAGES: list[str] = []  # allow-list of ISO 639-1 codes; empty allows all
NEWSDEDUP_SITE_BOILERPLATE_MIN_PAGES = 3  # lines seen on this many pages of a site are furniture
NEWSDEDUP_PUBLISH_EVERY = 500  # publish a file and commit state every N articles
NEWSDEDUP_NEARDUP_THRESHOLD = None  # None: the measured default of pipelines.neardup
NEWSDEDUP_NUM_PERM = None  # None: the measured default of pipelines.neardup
LOG_FORMATTER = "crawler.logformatter.QuietLogFormatter"
DEFAULT_DROPITEM_LOG_LEVEL = "INFO"  # duplicates and short pages are expected, not warnings
NEWSDEDUP_SITE_MAX_DEPTH = 2  # site crawl: how many listing pages deep from the homepage
NEWSDEDUP_MAX_PAGES = 0  # per source page budget for site crawls; 0 = no limit
NEWSDEDUP_ARTICLE_URLS: list[str] = []  # article URLs from @file lists or stdin
NEWSDEDUP_URL_LIST_NAME = "urls"  # the `source` recorded for those articles
NEWSDEDUP_ALLOW_PRIVATE = False  # True lets feed/page links reach loopback/private networks
NEWSDEDUP_RETRY_AFTER_MAX = 60.0  # longest Retry-After (s) honoured before a 429/503 retry
NEWSDEDUP_SINCE = None  # skip feed/sitemap entries older than this (2d, 12h, 1w, 2026-11-01)
NEWSDEDUP_SOURCE_OPTIONS: dict[str, dict[str, object]] = {}  # per source URL, from --config
NEWSDEDUP_OUTPUT_STDOUT = False  # articles to standard output instead of an articles file
NEWSDEDUP_OUTPUT_GZIP = False  # write .jsonl.gz files
NEWSDEDUP_OUTPUT_PARTITION = "none"  # "daily": OUTPUT/YYYY-MM-DD/articles-<stamp>.jsonl
NEWSDEDUP_PROGRESS = False  # live progress line on stderr (the CLI sets it on a terminal)
