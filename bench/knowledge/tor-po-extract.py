#!/usr/bin/env python3
"""Regenerates data/bench/tor-support/tor-support.fr.jsonl from the French
translation of the Tor Project's support portal: the portal's gettext
catalogue contents+fr.po (branch support-portal of the Tor Project's
translation repository), whose entries name the page they come from
("#: (content/<topic>/<question>/contents+en.lrquestion.title)"). One article
per question page whose title is translated (not the glossary, topics or
menus): the translated title, the translated paragraphs of its description in
the catalogue's order (untranslated ones left out; Markdown links, HTML and
layout removed), the topic's translated title as the tag, and "translation_of"
naming the English page's id when data/bench/tor-support/tor-support.en.jsonl
(tor-extract.py) has it. Ids are "tor-fr-" and the page's
folder (the English file's are "tor-" and the folder: an import's ids are one
namespace across languages). Only for refreshing the benchmark's data; the
benchmark reads the committed file.

    git clone -b support-portal https://gitlab.torproject.org/tpo/translation.git
    bench/knowledge/tor-po-extract.py translation/contents+fr.po data/bench/tor-support
"""
import ast, json, os, re, sys

LINK = re.compile(r'\[([^\]]*)\]\s*\([^)]*\)')
TAG = re.compile(r'<[^>]+>')
REF = re.compile(r'\(content/([^)]*?)/?contents\+en\.lr(\w+)\.(\w+)\)')


def entries(path):
    """(references, msgid, msgstr) for each entry of a .po file."""
    refs, field, parts = [], None, {'msgid': [], 'msgstr': []}
    ref_text = ''
    for line in open(path, encoding='utf-8').read().split('\n') + ['']:
        line = line.rstrip()
        if line.startswith('#:'):
            if field == 'msgstr':
                yield REF.findall(ref_text), ''.join(parts['msgid']), ''.join(parts['msgstr'])
                ref_text, field, parts = '', None, {'msgid': [], 'msgstr': []}
            ref_text += line[2:]
        elif line.startswith('msgid ') or line.startswith('msgstr '):
            field, rest = line.split(' ', 1)
            parts[field].append(ast.literal_eval(rest))
        elif line.startswith('"') and field:
            parts[field].append(ast.literal_eval(line))
        elif line == '' and field == 'msgstr':
            yield REF.findall(ref_text), ''.join(parts['msgid']), ''.join(parts['msgstr'])
            ref_text, field, parts = '', None, {'msgid': [], 'msgstr': []}


def clean(text):
    text = TAG.sub(' ', LINK.sub(r'\1', text))
    text = re.sub(r'[`*#>|]', ' ', text)
    return re.sub(r'\s+', ' ', text).strip()


def main(po, out_dir):
    pages, topics, order = {}, {}, []
    for refs, _msgid, msgstr in entries(po):
        for page, model, field in refs:
            if model == 'topic' and field == 'title' and msgstr and '/' not in page:
                topics[page] = clean(msgstr)
            if model != 'question' or page.count('/') != 1 or page.startswith(('glossary/', 'misc/menu')):
                continue
            if page not in pages:
                pages[page] = {'title': '', 'body': []}
                order.append(page)
            if field == 'title' and msgstr:
                pages[page]['title'] = clean(msgstr)
            elif field == 'description' and msgstr and clean(msgstr) not in pages[page]['body']:
                pages[page]['body'].append(clean(msgstr))
    os.makedirs(out_dir, exist_ok=True)
    # the English page each one translates, when tor-extract.py's file has it
    english = set()
    if os.path.exists(os.path.join(out_dir, 'tor-support.en.jsonl')):
        with open(os.path.join(out_dir, 'tor-support.en.jsonl'), encoding='utf-8') as f:
            english = {json.loads(line)['id'] for line in f}
    n = 0
    with open(os.path.join(out_dir, 'tor-support.fr.jsonl'), 'w', encoding='utf-8') as o:
        for page in sorted(order):
            p = pages[page]
            if not p['title'] or not p['body']:
                continue
            topic, name = page.split('/')
            a = {'id': 'tor-fr-' + name, 'lang': 'fr', 'title': p['title'], 'body': ' '.join(p['body']),
                 'tags': [topics.get(topic, topic.replace('-', ' '))]}
            if 'tor-' + name in english:
                a['translation_of'] = 'tor-' + name
            o.write(json.dumps(a, ensure_ascii=False) + '\n')
            n += 1
    print(n, 'articles')


main(sys.argv[1], sys.argv[2])
