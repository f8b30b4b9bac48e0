#!/usr/bin/env python3
"""Regenerates data/bench/debian-faq.{en,fr}.jsonl from Debian's debian-faq
and debian-faq-fr packages (the text versions): one article per numbered
section, its question as the title, its answer as the body, its chapter's
words as tags; a French section names the English one of the same number
("translation_of"). Only for refreshing the benchmark's data; the benchmark reads
the committed files.

    apt-get download debian-faq debian-faq-fr
    dpkg-deb -x debian-faq_*.deb x; dpkg-deb -x debian-faq-fr_*.deb x
    bench/knowledge/faq-extract.py x/usr/share/doc/debian/FAQ data/bench
"""
import gzip, json, re, sys

HEAD = re.compile(r'^(\d+(?:\.\d+)+)\.\xa0(.*)$')
CHAPTER = re.compile(r'^(?:Chapter|Chapitre)\s(\d+)\.\s+(.*)$')
URL = re.compile(r'\s*\((?:https?|ftp):[^)]*\)')


def clean(text):
    text = URL.sub('', text.replace('\xa0', ' '))
    return re.sub(r'\s+', ' ', text).strip()


def extract(path, lang):
    lines = gzip.open(path, 'rt', encoding='utf-8').read().split('\n')
    start = next(i for i, l in enumerate(lines) if CHAPTER.match(l))
    out, chapter, cur = [], '', None
    i = start
    while i < len(lines):
        line = lines[i]
        m, h = CHAPTER.match(line), HEAD.match(line)
        if m or h:
            if cur:
                out.append(cur)
                cur = None
        if m:
            chapter = m.group(2)
        elif h:
            title = [h.group(2)]
            while i + 1 < len(lines) and lines[i + 1].strip() and not lines[i + 1].startswith(' '):
                i += 1
                title.append(lines[i])
            cur = {'id': f'faq-{lang}-' + h.group(1), 'title': clean(' '.join(title)), 'body': '', 'lang': lang,
                   'tags': [w for w in re.findall(r"\w+", chapter.lower()) if len(w) > 3]}
        elif cur is not None:
            cur['body'] += line + '\n'
        i += 1
    if cur:
        out.append(cur)
    for a in out:
        a['body'] = clean(a['body']) or a['title']
    return out


src, dst = sys.argv[1], sys.argv[2]
english = set()
for lang in ('en', 'fr'):
    with open(f'{dst}/debian-faq.{lang}.jsonl', 'w', encoding='utf-8') as f:
        for a in extract(f'{src}/debian-faq.{lang}.txt.gz', lang):
            if lang == 'en':
                english.add(a['id'])
            elif 'faq-en-' + a['id'][len('faq-fr-'):] in english:
                a['translation_of'] = 'faq-en-' + a['id'][len('faq-fr-'):]  # the same section in English
            f.write(json.dumps(a, ensure_ascii=False) + '\n')
