/* Everyday writing in queries (guichet/kb_text.h): the abbreviations, SMS
 * spellings and courtesies customers type, rewritten to the words the
 * content uses before a query is analysed ("pb de mdp stp" is "problème de
 * mot de passe"). Only unambiguous forms are listed: a short form that is
 * also a common word, or that means two things in support questions, is
 * left alone. Courtesies map to nothing: they say nothing of the need.
 * Content is never rewritten (its authors write words out). Pure: no I/O. */
#include "guichet/kb_text.h"
#include "guichet/error.h"

#include <stdlib.h>
#include <string.h>

struct shorthand {
	const char *typed, *words; /* typed: lowercase ASCII */
};

/* sorted by typed, for a binary search */
static const struct shorthand french[] = {
	{"abo", "abonnement"}, {"abos", "abonnements"}, {"ac", "avec"}, {"app", "application"},
	{"appli", "application"}, {"applis", "applications"}, {"avc", "avec"}, {"bcp", "beaucoup"},
	{"beug", "bug"}, {"beugue", "bug"}, {"bjr", ""}, {"bonjour", ""}, {"bonsoir", ""}, {"bsr", ""},
	{"bugue", "bug"}, {"cb", "carte bancaire"}, {"cdt", ""}, {"chui", ""}, {"chuis", ""},
	{"config", "configuration"}, {"cordialement", ""}, {"dc", "donc"}, {"dispo", "disponible"},
	{"dl", "télécharger"}, {"ds", "dans"}, {"infos", "informations"}, {"jsp", ""}, {"jsuis", ""},
	{"kan", "quand"}, {"ke", "que"}, {"ki", "qui"}, {"koi", "quoi"}, {"kwa", "quoi"},
	{"maj", "mise à jour"}, {"mdp", "mot de passe"}, {"merci", ""}, {"mrc", ""}, {"msg", "message"},
	{"nn", "non"}, {"num", "numéro"}, {"ordi", "ordinateur"}, {"ordis", "ordinateurs"},
	{"param", "paramètres"}, {"params", "paramètres"}, {"pb", "problème"}, {"pbm", "problème"},
	{"pbs", "problèmes"},
	{"pc", "pc ordinateur"}, /* the word kept: content may say PC */
	{"pk", "pourquoi"}, {"pkoi", "pourquoi"}, {"pourkoi", "pourquoi"}, {"pq", "pourquoi"}, {"pr", "pour"},
	{"prb", "problème"}, {"prob", "problème"}, {"qd", "quand"}, {"qq", "quelques"},
	{"qqch", "quelque chose"}, {"qqn", "quelqu'un"},
	/* "ça rame": it is slow (the word kept, as pc) */
	{"rame", "rame lent"}, {"rament", "rament lent"}, {"ramer", "ramer lent"}, {"rdv", "rendez-vous"},
	{"remb", "remboursement"}, {"salut", ""}, {"slt", ""}, {"stp", ""}, {"svp", ""}, {"tjr", "toujours"},
	{"tjrs", "toujours"}, {"tjs", "toujours"}, {"tt", "tout"}, {"tte", "toute"}, {"ya", ""},
};

static const struct shorthand english[] = {
	{"abt", "about"}, {"acct", "account"}, {"addr", "address"}, {"asap", ""}, {"b4", "before"},
	{"bc", "because"}, {"cant", "cannot"}, {"coz", "because"}, {"cuz", "because"}, {"didnt", "did not"},
	{"dl", "download"}, {"doesnt", "does not"}, {"dont", "do not"}, {"hello", ""}, {"hey", ""}, {"hi", ""},
	{"idk", ""}, {"im", "i am"}, {"isnt", "is not"}, {"ive", "i have"},
	{"lag", "lag slow"}, {"laggy", "laggy slow"}, /* the word kept, as French "rame" */
	{"msg", "message"}, {"num", "number"}, {"passwd", "password"}, {"pls", ""},
	{"plz", ""}, {"pmt", "payment"}, {"ppl", "people"}, {"pswd", "password"}, {"pw", "password"},
	{"pwd", "password"}, {"smth", "something"}, {"sth", "something"}, {"thanks", ""}, {"thx", ""},
	{"ty", ""}, {"u", "you"}, {"ur", "your"}, {"wont", "will not"},
};

static int by_typed(const void *key, const void *entry)
{
	return strcmp(key, ((const struct shorthand *)entry)->typed);
}

const char *kb_shorthand_words(enum kb_lang lang, const char *word, size_t len)
{
	char key[16];
	if (len == 0 || len >= sizeof(key))
		return NULL;
	for (size_t i = 0; i < len; i++) {
		char c = word[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			return NULL;
		key[i] = c;
	}
	key[len] = '\0';
	const struct shorthand *table = lang == KB_LANG_FR ? french : english;
	size_t n = lang == KB_LANG_FR ? sizeof(french) / sizeof(french[0]) : sizeof(english) / sizeof(english[0]);
	const struct shorthand *e = bsearch(key, table, n, sizeof(*table), by_typed);
	return e ? e->words : NULL;
}

/* A byte that continues a word: ASCII letters and digits, and every byte of
 * a multi-byte character (the analyser decides about those). */
static bool word_byte(unsigned char c)
{
	return c >= 0x80 || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

int kb_shorthand_expand(enum kb_lang lang, const char *text, size_t len, char *out, size_t size, size_t *ret_len)
{
	size_t o = 0;
	for (size_t i = 0; i < len;) {
		size_t start = i;
		while (i < len && word_byte((unsigned char)text[i]))
			i++;
		if (i == start)
			i++;
		const char *words = i > start ? kb_shorthand_words(lang, text + start, i - start) : NULL;
		const char *piece = words ? words : text + start;
		size_t piece_len = words ? strlen(words) : i - start;
		if (o + piece_len + 1 > size)
			return GC_ETOOBIG;
		memcpy(out + o, piece, piece_len);
		o += piece_len;
	}
	out[o] = '\0';
	*ret_len = o;
	return GC_OK;
}
