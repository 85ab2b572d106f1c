#!/usr/bin/env python3
"""Scrapy side of the crawl benchmark: crawls START following every link on the same host, like the hellonet job.

usage: crawl_spider.py START CONCURRENCY URLS_OUT
Prints one JSON line: pages, elapsed seconds (Scrapy's own start_time .. finish_time, so process start-up is not
counted, as hellonet's job elapsedMs does not count the JVM's), pages per second.
"""
import json
import sys
from urllib.parse import urlparse

import scrapy
from scrapy.crawler import CrawlerProcess


class SiteSpider(scrapy.Spider):
    name = "site"

    def __init__(self, start, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = [start]
        self.allowed_domains = [urlparse(start).hostname]
        self.seen = []

    def parse(self, response):
        self.seen.append(response.url)
        for href in response.css("a::attr(href)").getall():
            yield response.follow(href, self.parse)


def main():
    start, concurrency, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    process = CrawlerProcess(settings={
        "CONCURRENT_REQUESTS": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "DOWNLOAD_DELAY": 0,
        "ROBOTSTXT_OBEY": True,
        "USER_AGENT": "scrapy-bench",
        "LOG_LEVEL": "WARNING",
        "TELNETCONSOLE_ENABLED": False,
        "RETRY_ENABLED": False,
        "COOKIES_ENABLED": False,
        "DEPTH_LIMIT": 0,
    })
    crawler = process.create_crawler(SiteSpider)
    process.crawl(crawler, start=start)
    process.start()
    stats = crawler.stats.get_stats()
    elapsed = (stats["finish_time"] - stats["start_time"]).total_seconds()
    # Scrapy fetches its start URL without the duplicate filter, so "/" comes twice: count distinct pages.
    pages = sorted(set(crawler.spider.seen))
    with open(out, "w") as f:
        f.write("\n".join(pages) + "\n")
    print(json.dumps({"pages": len(pages), "responses": len(crawler.spider.seen),
                      "elapsedSeconds": round(elapsed, 3), "pagesPerSecond": round(len(pages) / elapsed)}))


if __name__ == "__main__":
    main()
