#!/usr/bin/env python3
"""Generates the static site the crawl benchmark crawls: N linked HTML pages under DIR.

Page 0 is /index.html (served as /); page i is /p/i.html. Each page links to its eight children in a tree
(8i+1 .. 8i+8) and to five pseudo-random pages, so every page is reachable from / and most are linked several
times (the crawlers must de-duplicate). Each page carries about 3 KB of text.
usage: crawl-site.py DIR [N]
"""
import os
import sys

def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
    os.makedirs(os.path.join(out, "p"), exist_ok=True)
    words = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore "
             "et dolore magna aliqua").split()
    for i in range(n):
        links = [c for c in range(8 * i + 1, 8 * i + 9) if c < n]
        links += [(i * 7919 + k * 104729) % n for k in range(1, 6)]
        text = " ".join(words[(i + k) % len(words)] for k in range(450))
        hrefs = "".join('<li><a href="%s">page %d</a></li>' % ("/" if c == 0 else "/p/%d.html" % c, c) for c in links)
        html = ("<!doctype html><html><head><meta charset=\"utf-8\"><title>Page %d</title></head><body>"
                "<h1>Page %d</h1><p>%s</p><ul>%s</ul></body></html>\n" % (i, i, text, hrefs))
        path = os.path.join(out, "index.html") if i == 0 else os.path.join(out, "p", "%d.html" % i)
        with open(path, "w") as f:
            f.write(html)
    print("generated %d pages in %s" % (n, out))

if __name__ == "__main__":
    main()
