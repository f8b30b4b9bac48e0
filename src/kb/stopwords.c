/* The stop words of each language: the Snowball project's lists
 * (snowballstem.org, BSD licence), sorted for a binary search. Words are
 * case-folded with their accents. English adds the modals "can" and "will",
 * which Snowball keeps as nouns (a can, a will): customers' questions use
 * them as auxiliaries ("can i...", "will my boss know"), and as words they
 * matched every "Can I...?" title and brought the noun's synonyms ("can":
 * "bottom", "terminate"). */
#include "guichet/kb_text.h"

#include <stdlib.h>
#include <string.h>

static const char *const french[] = {
	"a", "ai", "aie", "aient", "aies", "ait", "as", "au", "aura", "aurai", "auraient", "aurais",
	"aurait", "auras", "aurez", "auriez", "aurions", "aurons", "auront", "aux", "avaient", "avais",
	"avait", "avec", "avez", "aviez", "avions", "avons", "ayant", "ayez", "ayons", "c", "ce", "ceci",
	"cela", "celà", "ces", "cet", "cette", "d", "dans", "de", "des", "du", "elle", "en", "es", "est",
	"et", "eu", "eue", "eues", "eurent", "eus", "eusse", "eussent", "eusses", "eussiez", "eussions",
	"eut", "eux", "eûmes", "eût", "eûtes", "furent", "fus", "fusse", "fussent", "fusses", "fussiez",
	"fussions", "fut", "fûmes", "fût", "fûtes", "ici", "il", "ils", "j", "je", "l", "la", "le", "les",
	"leur", "leurs", "lui", "m", "ma", "mais", "me", "mes", "moi", "mon", "même", "n", "ne", "nos",
	"notre", "nous", "on", "ont", "ou", "par", "pas", "pour", "qu", "que", "quel", "quelle",
	"quelles", "quels", "qui", "s", "sa", "sans", "se", "sera", "serai", "seraient", "serais",
	"serait", "seras", "serez", "seriez", "serions", "serons", "seront", "ses", "soi", "soient",
	"sois", "soit", "sommes", "son", "sont", "soyez", "soyons", "suis", "sur", "t", "ta", "te", "tes",
	"toi", "ton", "tu", "un", "une", "vos", "votre", "vous", "y", "à", "étaient", "étais", "était",
	"étant", "étiez", "étions", "été", "étée", "étées", "étés", "êtes",
};

static const char *const english[] = {
	"a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are",
	"aren't", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both",
	"but", "by", "can", "can't", "cannot", "could", "couldn't", "did", "didn't", "do", "does", "doesn't",
	"doing", "don't", "down", "during", "each", "few", "for", "from", "further", "had", "hadn't",
	"has", "hasn't", "have", "haven't", "having", "he", "he'd", "he'll", "he's", "her", "here",
	"here's", "hers", "herself", "him", "himself", "his", "how", "how's", "i", "i'd", "i'll", "i'm",
	"i've", "if", "in", "into", "is", "isn't", "it", "it's", "its", "itself", "let's", "me", "more",
	"most", "mustn't", "my", "myself", "no", "nor", "not", "of", "off", "on", "once", "only", "or",
	"other", "ought", "our", "ours", "ourselves", "out", "over", "own", "same", "shan't", "she",
	"she'd", "she'll", "she's", "should", "shouldn't", "so", "some", "such", "than", "that",
	"that's", "the", "their", "theirs", "them", "themselves", "then", "there", "there's", "these",
	"they", "they'd", "they'll", "they're", "they've", "this", "those", "through", "to", "too",
	"under", "until", "up", "very", "was", "wasn't", "we", "we'd", "we'll", "we're", "we've", "were",
	"weren't", "what", "what's", "when", "when's", "where", "where's", "which", "while", "who",
	"who's", "whom", "why", "why's", "will", "with", "won't", "would", "wouldn't", "you", "you'd", "you'll",
	"you're", "you've", "your", "yours", "yourself", "yourselves",
};

struct key {
	const char *word;
	size_t len;
};

static int compare(const void *k, const void *item)
{
	const struct key *key = k;
	const char *w = *(const char *const *)item;
	size_t wl = strlen(w), n = key->len < wl ? key->len : wl;
	int c = memcmp(key->word, w, n);
	return c ? c : (key->len > wl) - (key->len < wl);
}

bool kb_is_stop_word(enum kb_lang lang, const char *word, size_t len)
{
	struct key key = {word, len};
	const char *const *list = lang == KB_LANG_FR ? french : english;
	size_t n = lang == KB_LANG_FR ? sizeof(french) / sizeof(french[0]) : sizeof(english) / sizeof(english[0]);
	return bsearch(&key, list, n, sizeof(list[0]), compare) != NULL;
}

/* Whether the UTF-8 bytes hold a letter French writes and English does not
 * (é, è, ê, à, â, ç, ù, û, ô, î, ï, ë, œ): all begin with 0xC3 or 0xC5. */
static bool french_letter(const unsigned char *w, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++)
		if ((w[i] == 0xC3 && w[i + 1] >= 0xA0 && w[i + 1] <= 0xBF) || (w[i] == 0xC5 && w[i + 1] == 0x93))
			return true;
	return false;
}

enum kb_lang kb_lang_guess(const char *text, size_t len, enum kb_lang fallback)
{
	int fr = 0, en = 0;
	char word[64];
	for (size_t i = 0; i < len;) {
		size_t n = 0;
		while (i < len && n + 1 < sizeof(word)) {
			unsigned char c = (unsigned char)text[i];
			if (!(c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
				break;
			word[n++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
			i++;
		}
		if (n == 0) {
			i++;
			continue;
		}
		bool is_fr = kb_is_stop_word(KB_LANG_FR, word, n), is_en = kb_is_stop_word(KB_LANG_EN, word, n);
		fr += (is_fr && !is_en) || french_letter((const unsigned char *)word, n);
		en += is_en && !is_fr;
	}
	return fr > en ? KB_LANG_FR : en > fr ? KB_LANG_EN : fallback;
}
