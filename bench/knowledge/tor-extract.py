#!/usr/bin/env python3
"""Regenerates data/bench/tor-support/tor-support.en.jsonl from the Tor
Project's support portal (a Lektor site: content/<topic>/<question>/contents.lr):
one article per question page (not the glossary, topics or redirects), its
title as the title, its description as the body (Markdown links, HTML and
layout removed), its topic's folder name as the tag. Only for refreshing the
benchmark's data; the benchmark reads the committed file.

    git clone https://gitlab.torproject.org/tpo/web/support.git
    bench/knowledge/tor-extract.py support/content data/bench/tor-support
"""
import json, os, re, sys

LINK = re.compile(r'\[([^\]]*)\]\([^)]*\)')
TAG = re.compile(r'<[^>]+>')


def fields(text):
    out = {}
    for block in re.split(r'^---\s*$', text, flags=re.M):
        m = re.match(r'\s*([A-Za-z_-]+):(.*)$', block, flags=re.S)
        if m:
            out[m.group(1)] = m.group(2).strip()
    return out


def clean(text):
    text = TAG.sub(' ', LINK.sub(r'\1', text))
    text = re.sub(r'[`*#>|]', ' ', text)
    return re.sub(r'\s+', ' ', text).strip()


def main(content, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    arts = []
    for topic in sorted(os.listdir(content)):
        if topic == 'glossary' or not os.path.isdir(os.path.join(content, topic)):
            continue
        for page in sorted(os.listdir(os.path.join(content, topic))):
            path = os.path.join(content, topic, page, 'contents.lr')
            if not os.path.exists(path):
                continue
            f = fields(open(path, encoding='utf-8').read())
            if f.get('_model', '').strip() != 'question' or not f.get('title') or not f.get('description'):
                continue
            arts.append({'id': 'tor-' + page, 'lang': 'en', 'title': clean(f['title']),
                         'body': clean(f['description']), 'tags': [topic.replace('-', ' ')]})
    with open(os.path.join(out_dir, 'tor-support.en.jsonl'), 'w', encoding='utf-8') as o:
        for a in arts:
            o.write(json.dumps(a, ensure_ascii=False) + '\n')
    print(len(arts), 'articles')


main(sys.argv[1], sys.argv[2])
