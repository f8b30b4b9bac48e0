/* Schema parity: the SQLite schema after every migration of schema.c and the
 * PostgreSQL schema as store_open makes it (on a throwaway cluster: the
 * baseline of schema_pg.c, then the migrations after it, written once with
 * tokens) must say the same thing. Each side is read into "facts", one line per key:
 *   T.c                   "#position type[ not null][ default X][ identity]"
 *   T primary key         "(a, b)"
 *   T unique (a, b)       "constraint"
 *   T index NAME          "[unique ](a, b)[ where EXPR]"
 *   T foreign key (a)     "references U(b) on update X on delete Y"
 *   T check {tokens}      "check" (its columns, strings and numbers)
 *   T collate             the collations its columns name, if any
 *   T trigger NAME        "before update for each row"
 * SQLite's are read with the sqlite3 tool (pragma_table_info,
 * pragma_index_list, pragma_index_xinfo, pragma_foreign_key_list,
 * sqlite_master), PostgreSQL's from pg_catalog; types are mapped (INTEGER
 * bigint, TEXT text, BLOB bytea, REAL double precision) and every
 * difference is printed by key. The known differences are in exceptions[]
 * below, each with why; one that no longer holds fails too. Then what the
 * facts cannot show is tried on both: the audit log refuses UPDATE and
 * DELETE, an email differing only by case is refused, a row inserted
 * without its id gets one, and guichet_schema holds the version. */
#include "pgcluster.h"
#include "store/schema.h"
#include "store/store.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

/* What may differ, and why. A NULL value: the key is absent on that side. */
static const struct exception {
	const char *key, *sqlite, *pg, *why;
} exceptions[] = {
	{"users collate", "nocase", NULL,
	 "PostgreSQL has no NOCASE collation: users.email is plain text, the queries compare "
	 "lower(email)"},
	{"users unique (email)", "constraint collate nocase", NULL,
	 "PostgreSQL has no NOCASE collation: a unique index on lower(email) does its work, "
	 "and the queries compare lower(email)"},
	{"users index users_email_lower", NULL, "unique (lower(email))",
	 "the unique lower(email) index standing for SQLite's UNIQUE COLLATE NOCASE"},
	{"routing.contact_id", "#1 bigint not null identity", "#1 bigint not null",
	 "a rowid alias in SQLite, but a copy of contacts.id (REFERENCES), never generated"},
	{"kb_settings.tenant_id", "#1 bigint not null identity", "#1 bigint not null",
	 "a rowid alias in SQLite, but a copy of tenants.id (REFERENCES), never generated"},
	{"audit trigger audit_no_truncate", NULL, "before truncate for each statement",
	 "PostgreSQL's TRUNCATE fires no row trigger; SQLite has no TRUNCATE. (Both sides' "
	 "triggers raise 'the audit log is append-only': RAISE(ABORT) in SQLite, the PL/pgSQL "
	 "function audit_append_only with SQLSTATE 23001 in PostgreSQL; tried below)"},
	{"guichet_schema.version", NULL, "#1 bigint not null",
	 "the schema version: PRAGMA user_version in SQLite, this one-row table in PostgreSQL"},
};

struct fact {
	char key[192];
	char value[192];
	bool excepted;
};

struct facts {
	struct fact *v;
	size_t n, cap;
};

static struct pgcluster cluster;
static char sqlite_dir[64], sqlite_db[128];
static PGconn *pg;

static void fact_add(struct facts *f, const char *key, const char *fmt, ...)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 256;
		f->v = realloc(f->v, f->cap * sizeof(*f->v));
		assert_non_null(f->v);
	}
	struct fact *x = &f->v[f->n++];
	x->excepted = false;
	assert_true((size_t)snprintf(x->key, sizeof(x->key), "%s", key) < sizeof(x->key));
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(x->value, sizeof(x->value), fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < sizeof(x->value));
}

static const struct fact *fact_find(const struct facts *f, const char *key)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].key, key) == 0)
			return &f->v[i];
	return NULL;
}

static int fact_cmp(const void *a, const void *b)
{
	const struct fact *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : strcmp(x->value, y->value);
}

/* Lowercase, parentheses and double quotes dropped, spaces collapsed:
 * "(external_id IS NOT NULL)" and "external_id is not null" are one. */
static void normalize_expr(const char *in, char *out, size_t len)
{
	size_t n = 0;
	for (; *in != '\0' && *in != ';' && n + 1 < len; in++) {
		if (*in == '(' || *in == ')' || *in == '"')
			continue;
		if (isspace((unsigned char)*in)) {
			if (n > 0 && out[n - 1] != ' ')
				out[n++] = ' ';
			continue;
		}
		out[n++] = (char)tolower((unsigned char)*in);
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

/* "'offline'::text" -> "'offline'": PostgreSQL writes a default's type. */
static void strip_cast(char *s)
{
	char *cast = strstr(s, "::");
	if (cast != NULL)
		*cast = '\0';
}

static long num(const char *s)
{
	return strtol(s, NULL, 10);
}

static const char *sqlite_type(const char *declared)
{
	static const char *const map[][2] = {
		{"INTEGER", "bigint"}, {"TEXT", "text"}, {"BLOB", "bytea"}, {"REAL", "double precision"}};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcasecmp(declared, map[i][0]) == 0)
			return map[i][1];
	return declared; /* unmapped: shows as a difference */
}

static void column_fact(struct facts *f, const char *table, const char *column, long pos,
			const char *type, bool notnull, const char *dflt, const char *identity)
{
	char key[128], d[96] = "";
	snprintf(key, sizeof(key), "%s.%s", table, column);
	if (dflt[0] != '\0') {
		snprintf(d, sizeof(d), " default %s", dflt);
		strip_cast(d);
	}
	fact_add(f, key, "#%ld %s%s%s%s", pos, type, notnull ? " not null" : "", d, identity);
}

static int token_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* A CHECK's signature: its words that name columns of table, its quoted
 * strings and its numbers, sorted and unique. "kind IN ('a','b')" and
 * "CHECK ((kind = ANY (ARRAY['a'::text, 'b'::text])))" give one signature. */
static void check_fact(struct facts *f, const char *table, const char *expr)
{
	char tokens[32][64], key[320], sig[256] = "";
	size_t n = 0;
	for (const char *p = expr; *p != '\0' && n < 32;) {
		const char *start = p;
		if (*p == '\'') {
			for (p++; *p != '\0' && !(p[0] == '\'' && p[1] != '\''); p += p[0] == '\'' ? 2 : 1)
				;
			p += *p != '\0';
		} else if (isalnum((unsigned char)*p) || *p == '_') {
			while (isalnum((unsigned char)*p) || *p == '_')
				p++;
		} else {
			p++;
			continue;
		}
		char word[64], column[128];
		snprintf(word, sizeof(word), "%.*s", (int)(p - start), start);
		for (char *c = word; *word != '\'' && *c != '\0'; c++)
			*c = (char)tolower((unsigned char)*c);
		snprintf(column, sizeof(column), "%s.%s", table, word);
		if (word[0] == '\'' || isdigit((unsigned char)word[0]) || fact_find(f, column) != NULL)
			memcpy(tokens[n++], word, sizeof(word));
	}
	qsort(tokens, n, sizeof(tokens[0]), token_cmp);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || strcmp(tokens[i], tokens[i - 1]) != 0)
			snprintf(sig + strlen(sig), sizeof(sig) - strlen(sig), "%s%.63s", i ? " " : "",
				 tokens[i]);
	snprintf(key, sizeof(key), "%s check {%s}", table, sig);
	fact_add(f, key, "check");
}

/* ---- SQLite, through the sqlite3 tool ---- */

/* Runs the sqlite3 tool on sqlite_db; its stdout and stderr into *ret_out
 * (malloc'd): fields separated by 0x1f, rows ended by 0x1e. Returns its exit status. */
static int sqlite_run(const char *sql, char **ret_out)
{
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		execlp("sqlite3", "sqlite3", "-batch", "-bail", "-noheader", "-separator", "\x1f",
		       "-newline", "\x1e", sqlite_db, sql, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	size_t len = 0, cap = 4096;
	char *out = malloc(cap);
	assert_non_null(out);
	for (ssize_t r; (r = read(fds[0], out + len, cap - len - 1)) > 0;) {
		len += (size_t)r;
		if (cap - len < 1024 && (out = realloc(out, cap *= 2)) == NULL)
			fail_msg("out of memory");
	}
	out[len] = '\0';
	close(fds[0]);
	int status = 0;
	waitpid(pid, &status, 0);
	*ret_out = out;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* Runs a query that must succeed and calls row(fields, f) per row of n_fields. */
static void sqlite_rows(const char *sql, struct facts *f, int n_fields,
			void (*row)(char **fields, struct facts *f))
{
	char *out;
	if (sqlite_run(sql, &out) != 0) {
		fprintf(stderr, "sqlite3 failed: %s\n", out);
		free(out);
		fail_msg("query: %s", sql);
	}
	char *save_row = NULL;
	for (char *line = strtok_r(out, "\x1e", &save_row); line != NULL;
	     line = strtok_r(NULL, "\x1e", &save_row)) {
		char *fields[16] = {0};
		int n = 0;
		for (char *p = line; n < n_fields; p++) {
			fields[n++] = p;
			p = strchr(p, '\x1f');
			if (p == NULL)
				break;
			*p = '\0';
		}
		if (n != n_fields)
			fail_msg("sqlite3: %d fields, not %d, in \"%s\"", n, n_fields, line);
		row(fields, f);
	}
	free(out);
}

/* table, column, type, notnull, default, pk, without rowid, columns in the pk, cid */
static void sqlite_column(char **v, struct facts *f)
{
	bool pk = num(v[5]) > 0, without_rowid = num(v[6]) != 0;
	bool rowid_alias = pk && num(v[7]) == 1 && strcasecmp(v[2], "INTEGER") == 0 && !without_rowid;
	/* a rowid alias and a WITHOUT ROWID key are never NULL */
	bool notnull = num(v[3]) != 0 || (pk && (rowid_alias || without_rowid));
	column_fact(f, v[0], v[1], num(v[8]) + 1, sqlite_type(v[2]), notnull, v[4],
		    rowid_alias ? " identity" : "");
}

/* The CHECK (...) at p in a CREATE TABLE, as a fact; returns its end. */
static const char *sqlite_check(struct facts *f, const char *table, const char *p)
{
	const char *open = p + strspn(p, " \t\n"), *q = open;
	if (*open != '(')
		return p;
	for (int depth = 0; *q != '\0'; q++)
		if ((depth += (*q == '(') - (*q == ')')) == 0)
			break;
	char expr[256];
	snprintf(expr, sizeof(expr), "%.*s", (int)(q - open), open);
	check_fact(f, table, expr);
	return q;
}

/* table, create sql, primary key columns */
static void sqlite_table(char **v, struct facts *f)
{
	char key[160], collations[128] = "";
	if (v[2][0] != '\0') {
		snprintf(key, sizeof(key), "%s primary key", v[0]);
		fact_add(f, key, "(%s)", v[2]);
	}
	/* each CHECK (...) and COLLATE name, outside quotes */
	for (const char *p = v[1]; *p != '\0'; p++) {
		if (*p == '\'') {
			const char *end = strchr(p + 1, '\'');
			p = end != NULL ? end : p + strlen(p) - 1;
			continue;
		}
		if (p > v[1] && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
			continue; /* not the start of a word */
		if (strncasecmp(p, "check", 5) == 0) {
			p = sqlite_check(f, v[0], p + 5);
		} else if (strncasecmp(p, "collate ", 8) == 0) {
			p += 8 + strspn(p + 8, " ");
			int len = (int)strcspn(p, " ,)");
			snprintf(collations + strlen(collations), sizeof(collations) - strlen(collations),
				 "%s%.*s", collations[0] ? " " : "", len, p);
		}
	}
	if (collations[0] != '\0') {
		snprintf(key, sizeof(key), "%s collate", v[0]);
		for (char *c = collations; *c != '\0'; c++)
			*c = (char)tolower((unsigned char)*c);
		fact_add(f, key, "%s", collations);
	}
}

/* table, index, unique, origin, columns, their collations other than BINARY, create sql */
static void sqlite_index(char **v, struct facts *f)
{
	char key[160], where[192] = "", collate[64] = "";
	if (strcmp(v[3], "pk") == 0)
		return; /* the primary key, in its own fact */
	if (v[5][0] != '\0')
		snprintf(collate, sizeof(collate), " collate %s", v[5]);
	if (strcmp(v[3], "u") == 0) { /* a UNIQUE in CREATE TABLE */
		snprintf(key, sizeof(key), "%s unique (%s)", v[0], v[4]);
		fact_add(f, key, "constraint%s", collate);
		return;
	}
	const char *w = strcasestr(v[6], " where ");
	if (w != NULL) {
		char e[160];
		normalize_expr(w + 7, e, sizeof(e));
		snprintf(where, sizeof(where), " where %s", e);
	}
	snprintf(key, sizeof(key), "%s index %s", v[0], v[1]);
	fact_add(f, key, "%s(%s)%s%s", num(v[2]) ? "unique " : "", v[4], collate, where);
}

/* table, columns, referenced table, its columns, on update, on delete */
static void sqlite_foreign_key(char **v, struct facts *f)
{
	char key[160];
	snprintf(key, sizeof(key), "%s foreign key (%s)", v[0], v[1]);
	fact_add(f, key, "references %s(%s) on update %s on delete %s", v[2], v[3], v[4], v[5]);
}

/* table, trigger, create sql: "CREATE TRIGGER name [BEFORE|AFTER|INSTEAD OF] event ..." */
static void sqlite_trigger(char **v, struct facts *f)
{
	char key[160], sql[512], timing[16] = "before", event[16] = "";
	normalize_expr(v[2], sql, sizeof(sql));
	const char *p = strstr(sql, v[1]);
	assert_non_null(p);
	p += strlen(v[1]) + 1;
	static const char *const timings[] = {"before ", "after ", "instead of "};
	for (size_t i = 0; i < 3; i++)
		if (strncmp(p, timings[i], strlen(timings[i])) == 0) {
			snprintf(timing, sizeof(timing), "%.*s", (int)strlen(timings[i]) - 1, p);
			p += strlen(timings[i]);
		}
	snprintf(event, sizeof(event), "%.*s", (int)strcspn(p, " "), p);
	snprintf(key, sizeof(key), "%s trigger %s", v[0], v[1]);
	fact_add(f, key, "%s %s for each row", timing, event); /* SQLite has only row triggers */
}

static void sqlite_facts(struct facts *f)
{
	sqlite_rows("SELECT m.name, p.name, p.type, p.\"notnull\", coalesce(p.dflt_value, ''), p.pk,"
		    " l.wr, (SELECT count(*) FROM pragma_table_info(m.name) q WHERE q.pk > 0), p.cid"
		    " FROM sqlite_master m JOIN pragma_table_list l ON l.schema = 'main' AND l.name = m.name"
		    " JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
		    f, 9, sqlite_column);
	sqlite_rows("SELECT m.name, m.sql, coalesce((SELECT group_concat(name, ', ') FROM"
		    " (SELECT name FROM pragma_table_info(m.name) WHERE pk > 0 ORDER BY pk)), '')"
		    " FROM sqlite_master m WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
		    f, 3, sqlite_table);
	sqlite_rows("SELECT m.name, il.name, il.\"unique\", il.origin,"
		    " (SELECT group_concat(coalesce(x.name, '<expression>'), ', ')"
		    "  FROM pragma_index_xinfo(il.name) x WHERE x.key),"
		    " (SELECT coalesce(group_concat(lower(x.coll), ' '), '')"
		    "  FROM pragma_index_xinfo(il.name) x WHERE x.key AND x.coll <> 'BINARY'),"
		    " coalesce((SELECT s.sql FROM sqlite_master s"
		    "  WHERE s.type = 'index' AND s.name = il.name), '')"
		    " FROM sqlite_master m JOIN pragma_index_list(m.name) il"
		    " WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
		    f, 7, sqlite_index);
	sqlite_rows("SELECT m.name, group_concat(k.\"from\", ', '), k.\"table\","
		    " group_concat(coalesce(k.\"to\", '?'), ', '), lower(k.on_update), lower(k.on_delete)"
		    " FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) k"
		    " WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' GROUP BY m.name, k.id",
		    f, 6, sqlite_foreign_key);
	sqlite_rows("SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'trigger'", f, 3,
		    sqlite_trigger);
}

/* ---- PostgreSQL, through libpq ---- */

static void pg_rows(const char *sql, struct facts *f, void (*row)(char **fields, struct facts *f))
{
	PGresult *res = PQexec(pg, sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		fail_msg("postgresql: %s\nquery: %s", PQerrorMessage(pg), sql);
	}
	for (int r = 0; r < PQntuples(res); r++) {
		char *fields[16] = {0};
		assert_true(PQnfields(res) <= 16);
		for (int c = 0; c < PQnfields(res); c++)
			fields[c] = PQgetvalue(res, r, c);
		row(fields, f);
	}
	PQclear(res);
}

#define PG_PUBLIC "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'"

/* table, column, type, notnull, default, identity ('d' by default, 'a' always), position */
static void pg_column(char **v, struct facts *f)
{
	const char *identity = v[5][0] == 'd' ? " identity" : v[5][0] == 'a' ? " identity always" : "";
	column_fact(f, v[0], v[1], num(v[6]), v[2], v[3][0] == 't', v[4], identity);
}

static const char *pg_action(const char *code)
{
	switch (code[0]) {
	case 'r': return "restrict";
	case 'c': return "cascade";
	case 'n': return "set null";
	case 'd': return "set default";
	default: return "no action";
	}
}

/* table, type (p u f c), columns, referenced table, its columns, on update,
 * on delete, definition */
static void pg_constraint(char **v, struct facts *f)
{
	char key[160];
	switch (v[1][0]) {
	case 'p':
		snprintf(key, sizeof(key), "%s primary key", v[0]);
		fact_add(f, key, "(%s)", v[2]);
		break;
	case 'u':
		snprintf(key, sizeof(key), "%s unique (%s)", v[0], v[2]);
		fact_add(f, key, "constraint");
		break;
	case 'f':
		snprintf(key, sizeof(key), "%s foreign key (%s)", v[0], v[2]);
		fact_add(f, key, "references %s(%s) on update %s on delete %s", v[3], v[4],
			 pg_action(v[5]), pg_action(v[6]));
		break;
	case 'c':
		check_fact(f, v[0], v[7]);
		break;
	default:
		snprintf(key, sizeof(key), "%s constraint %s", v[0], v[7]);
		fact_add(f, key, "unexpected type %s", v[1]);
	}
}

/* table, index, unique, columns, predicate */
static void pg_index(char **v, struct facts *f)
{
	char key[160], where[192] = "";
	if (v[4][0] != '\0') {
		char e[160];
		normalize_expr(v[4], e, sizeof(e));
		snprintf(where, sizeof(where), " where %s", e);
	}
	snprintf(key, sizeof(key), "%s index %s", v[0], v[1]);
	fact_add(f, key, "%s(%s)%s", v[2][0] == 't' ? "unique " : "", v[3], where);
}

/* table, collations of its columns other than the database's */
static void pg_collate(char **v, struct facts *f)
{
	char key[160];
	snprintf(key, sizeof(key), "%s collate", v[0]);
	fact_add(f, key, "%s", v[1]);
}

/* table, trigger, timing, events, row or statement */
static void pg_trigger(char **v, struct facts *f)
{
	char key[160];
	snprintf(key, sizeof(key), "%s trigger %s", v[0], v[1]);
	fact_add(f, key, "%s %s for each %s", v[2], v[3], v[4]);
}

#define PG_NAMES(list, rel) \
	"(SELECT string_agg(a.attname, ', ' ORDER BY u.i) FROM unnest(" list ") WITH ORDINALITY u(n, i)" \
	" JOIN pg_attribute a ON a.attrelid = " rel " AND a.attnum = u.n)"

static void pg_facts(struct facts *f)
{
	pg_rows("SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,"
		" coalesce(pg_get_expr(d.adbin, d.adrelid), ''), a.attidentity,"
		" row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum)"
		" FROM pg_class c " PG_PUBLIC " JOIN pg_attribute a ON a.attrelid = c.oid"
		" LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum"
		" WHERE c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped",
		f, pg_column);
	pg_rows("SELECT c.relname, k.contype, " PG_NAMES("k.conkey", "k.conrelid") ","
		" coalesce(r.relname, ''), coalesce(" PG_NAMES("k.confkey", "k.confrelid") ", ''),"
		" k.confupdtype, k.confdeltype, pg_get_constraintdef(k.oid)"
		" FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid " PG_PUBLIC
		" LEFT JOIN pg_class r ON r.oid = k.confrelid",
		f, pg_constraint);
	pg_rows("SELECT c.relname, i.relname, x.indisunique,"
		" (SELECT string_agg(pg_get_indexdef(x.indexrelid, k, true), ', ' ORDER BY k)"
		"  FROM generate_series(1, x.indnkeyatts) k),"
		" coalesce(pg_get_expr(x.indpred, x.indrelid, true), '')"
		" FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
		" JOIN pg_class c ON c.oid = x.indrelid " PG_PUBLIC
		" WHERE NOT EXISTS (SELECT 1 FROM pg_constraint k"
		"  WHERE k.conindid = x.indexrelid AND k.contype IN ('p', 'u'))",
		f, pg_index);
	pg_rows("SELECT c.relname, string_agg(lower(o.collname), ' ' ORDER BY a.attnum)"
		" FROM pg_class c " PG_PUBLIC " JOIN pg_attribute a ON a.attrelid = c.oid"
		" JOIN pg_collation o ON o.oid = a.attcollation"
		" WHERE c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped"
		"  AND o.collname <> 'default' GROUP BY c.relname",
		f, pg_collate);
	pg_rows("SELECT c.relname, t.tgname,"
		" CASE WHEN t.tgtype & 2 <> 0 THEN 'before' WHEN t.tgtype & 64 <> 0 THEN 'instead of'"
		"  ELSE 'after' END,"
		" concat_ws(' or ', CASE WHEN t.tgtype & 4 <> 0 THEN 'insert' END,"
		"  CASE WHEN t.tgtype & 16 <> 0 THEN 'update' END, CASE WHEN t.tgtype & 8 <> 0 THEN 'delete' END,"
		"  CASE WHEN t.tgtype & 32 <> 0 THEN 'truncate' END),"
		" CASE WHEN t.tgtype & 1 <> 0 THEN 'row' ELSE 'statement' END"
		" FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid " PG_PUBLIC
		" WHERE NOT t.tgisinternal",
		f, pg_trigger);
}

/* ---- the comparison ---- */

/* Marks the fact key = value on one side as excepted; false when absent. */
static bool except(struct facts *f, const char *key, const char *value)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].key, key) == 0 && strcmp(f->v[i].value, value) == 0) {
			f->v[i].excepted = true;
			return true;
		}
	return false;
}

/* Prints every difference not excepted, and every exception that no longer
 * holds; returns how many. */
static int compare(struct facts *s, struct facts *p)
{
	int n_diff = 0;
	for (size_t i = 0; i < sizeof(exceptions) / sizeof(exceptions[0]); i++) {
		const struct exception *e = &exceptions[i];
		bool held = (e->sqlite == NULL || except(s, e->key, e->sqlite)) &&
			    (e->pg == NULL || except(p, e->key, e->pg));
		if (!held && ++n_diff)
			fprintf(stderr, "  %s: the exception no longer holds (sqlite \"%s\", postgresql \"%s\": %s)\n",
			       e->key, e->sqlite ? e->sqlite : "absent", e->pg ? e->pg : "absent", e->why);
	}
	qsort(s->v, s->n, sizeof(s->v[0]), fact_cmp);
	qsort(p->v, p->n, sizeof(p->v[0]), fact_cmp);
	size_t i = 0, j = 0;
	while (i < s->n || j < p->n) {
		if (i < s->n && s->v[i].excepted) {
			i++;
		} else if (j < p->n && p->v[j].excepted) {
			j++;
		} else {
			int c = i == s->n ? 1 : j == p->n ? -1 : strcmp(s->v[i].key, p->v[j].key);
			if (c == 0 && strcmp(s->v[i].value, p->v[j].value) != 0)
				fprintf(stderr, "  %s: sqlite \"%s\", postgresql \"%s\"\n", s->v[i].key, s->v[i].value,
				       p->v[j].value);
			else if (c < 0)
				fprintf(stderr, "  %s: sqlite \"%s\", not in postgresql\n", s->v[i].key, s->v[i].value);
			else if (c > 0)
				fprintf(stderr, "  %s: postgresql \"%s\", not in sqlite\n", p->v[j].key, p->v[j].value);
			n_diff += c != 0 || strcmp(s->v[i].value, p->v[j].value) != 0;
			i += c <= 0;
			j += c >= 0;
		}
	}
	return n_diff;
}

static void test_parity(void **state)
{
	struct facts s = {0}, p = {0};
	sqlite_facts(&s);
	pg_facts(&p);
	assert_true(s.n > 200); /* the reading itself works: 30 tables */
	int n_diff = compare(&s, &p);
	free(s.v);
	free(p.v);
	if (n_diff > 0)
		fail_msg("%d differences between the SQLite schema (migrations 1 to %d) and the "
			 "PostgreSQL baseline (src/store/schema_pg.c)", n_diff, schema_n_migrations());
}

/* ---- what the facts cannot show ---- */

/* Runs sql on PostgreSQL; it must succeed. The first value of its answer, or "". */
static void pg_ok(const char *sql, char *ret_value, size_t len)
{
	PGresult *res = PQexec(pg, sql);
	ExecStatusType st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		PQclear(res);
		fail_msg("postgresql refused %s: %s", sql, PQerrorMessage(pg));
	}
	if (ret_value != NULL)
		snprintf(ret_value, len, "%s", PQntuples(res) > 0 ? PQgetvalue(res, 0, 0) : "");
	PQclear(res);
}

/* sql must fail on PostgreSQL with sqlstate, its message holding message. */
static void pg_refused(const char *sql, const char *sqlstate, const char *message)
{
	PGresult *res = PQexec(pg, sql);
	char code[8];
	snprintf(code, sizeof(code), "%s", PQresultErrorField(res, PG_DIAG_SQLSTATE) ?
		 PQresultErrorField(res, PG_DIAG_SQLSTATE) : "success");
	bool refused = PQresultStatus(res) == PGRES_FATAL_ERROR;
	PQclear(res);
	if (!refused || strcmp(code, sqlstate) != 0 || strstr(PQerrorMessage(pg), message) == NULL)
		fail_msg("postgresql: %s: expected %s \"%s\", got %s %s", sql, sqlstate, message, code,
			 PQerrorMessage(pg));
}

static void sqlite_ok(const char *sql)
{
	char *out, text[512];
	int status = sqlite_run(sql, &out);
	snprintf(text, sizeof(text), "%s", out);
	free(out);
	if (status != 0)
		fail_msg("sqlite refused %s: %s", sql, text);
}

static void sqlite_refused(const char *sql, const char *message)
{
	char *out, text[512];
	int status = sqlite_run(sql, &out);
	snprintf(text, sizeof(text), "%s", out);
	free(out);
	if (status == 0 || strstr(text, message) == NULL)
		fail_msg("sqlite: %s: expected a refusal \"%s\", got status %d: %s", sql, message, status,
			 text);
}

static void test_audit_is_append_only(void **state)
{
	const char *insert = "INSERT INTO audit(at, action, detail) VALUES (1, 'login', '{}')";
	const char *message = "the audit log is append-only";
	char count[16];
	sqlite_ok(insert);
	sqlite_refused("UPDATE audit SET actor = 'x'", message);
	sqlite_refused("DELETE FROM audit", message);
	pg_ok(insert, NULL, 0);
	/* 23001 restrict_violation: a constraint error, as SQLite's RAISE(ABORT) */
	pg_refused("UPDATE audit SET actor = 'x'", "23001", message);
	pg_refused("DELETE FROM audit", "23001", message);
	pg_refused("TRUNCATE audit", "23001", message);
	pg_ok("SELECT count(*) FROM audit WHERE actor IS NULL", count, sizeof(count));
	assert_string_equal(count, "1");
}

static void test_email_unique_whatever_its_case(void **state)
{
	const char *org = "INSERT INTO organisations(name, kind, created_at) VALUES ('Org', 'brand', 1)";
	const char *ann = "INSERT INTO users(email, name, organisation_id, password_hash, created_at)"
			  " SELECT '%s', 'Ann', id, 'x', 1 FROM organisations WHERE name = 'Org'";
	char first[256], second[256], other[256];
	snprintf(first, sizeof(first), ann, "Ann@Example.org");
	snprintf(second, sizeof(second), ann, "ann@example.ORG");
	snprintf(other, sizeof(other), ann, "ann2@example.org");
	sqlite_ok(org);
	sqlite_ok(first);
	sqlite_refused(second, "UNIQUE constraint failed: users.email");
	sqlite_ok(other);
	pg_ok(org, NULL, 0);
	pg_ok(first, NULL, 0);
	pg_refused(second, "23505", "users_email_lower");
	pg_ok(other, NULL, 0);
}

static void test_row_without_id_gets_one(void **state)
{
	char a[32], b[32];
	pg_ok("INSERT INTO organisations(name, kind, created_at) VALUES ('O1', 'brand', 1) RETURNING id",
	      a, sizeof(a));
	pg_ok("INSERT INTO organisations(name, kind, created_at) VALUES ('O2', 'outsourcer', 1)"
	      " RETURNING id", b, sizeof(b));
	assert_true(num(a) > 0 && num(b) > num(a));
	pg_ok("INSERT INTO kb_changes(tenant_id, kind) VALUES (1, 'item') RETURNING seq", a, sizeof(a));
	pg_ok("INSERT INTO kb_changes(tenant_id, kind) VALUES (1, 'item') RETURNING seq", b, sizeof(b));
	assert_true(num(a) > 0 && num(b) > num(a));
	/* 64-bit, as SQLite's integers */
	pg_ok("INSERT INTO kb_changes(tenant_id, kind, item_id) VALUES (9007199254740993, 'item',"
	      " 9223372036854775807) RETURNING item_id", a, sizeof(a));
	assert_string_equal(a, "9223372036854775807");
}

static void test_schema_version(void **state)
{
	char n[16], version[16];
	pg_ok("SELECT count(*) FROM guichet_schema", n, sizeof(n));
	assert_string_equal(n, "1");
	pg_ok("SELECT version FROM guichet_schema", version, sizeof(version));
	assert_int_equal(num(version), schema_n_migrations());
}

/* The baseline is one transaction: a failure near its end leaves nothing. */
static void test_baseline_all_or_nothing(void **state)
{
	char url[256], exists[16];
	pg_ok("CREATE DATABASE halfway", NULL, 0);
	snprintf(url, sizeof(url), "postgresql://guichet@127.0.0.1:%d/halfway", cluster.port);
	PGconn *main_conn = pg;
	pg = PQconnectdb(url);
	assert_int_equal(PQstatus(pg), CONNECTION_OK);
	pg_ok("CREATE TABLE idempotency_keys(x int)", NULL, 0);
	pg_refused(schema_pg_baseline(), "42P07", "idempotency_keys");
	pg_ok("SELECT to_regclass('organisations') IS NULL AND to_regclass('audit') IS NULL"
	      " AND to_regprocedure('audit_append_only()') IS NULL", exists, sizeof(exists));
	assert_string_equal(exists, "t");
	PQfinish(pg);
	pg = main_conn;
}

static int group_setup(void **state)
{
	struct store *s = NULL;
	snprintf(sqlite_dir, sizeof(sqlite_dir), "/tmp/guichet-pg-schema-XXXXXX");
	if (mkdtemp(sqlite_dir) == NULL)
		return -1;
	snprintf(sqlite_db, sizeof(sqlite_db), "%s/schema.db", sqlite_dir);
	if (store_open(sqlite_db, STORE_READ_WRITE, &s) != 0)
		return -1;
	store_free(s);
	if (pgcluster_start(&cluster, NULL) != 0)
		return -1;
	/* as guichetd makes it: the baseline, then the migrations after it */
	int rc = store_open(pgcluster_url(&cluster), STORE_READ_WRITE, &s);
	if (rc != 0)
		fprintf(stderr, "the PostgreSQL schema failed: %s\n", store_errmsg(s));
	store_free(s);
	pg = PQconnectdb(pgcluster_url(&cluster));
	return rc == 0 && PQstatus(pg) == CONNECTION_OK ? 0 : -1;
}

static int group_teardown(void **state)
{
	PQfinish(pg);
	pgcluster_stop(&cluster);
	static const char *const suffixes[] = {"", "-wal", "-shm"};
	for (size_t i = 0; i < 3; i++) {
		char path[160];
		snprintf(path, sizeof(path), "%s%s", sqlite_db, suffixes[i]);
		unlink(path);
	}
	rmdir(sqlite_dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parity),
		cmocka_unit_test(test_audit_is_append_only),
		cmocka_unit_test(test_email_unique_whatever_its_case),
		cmocka_unit_test(test_row_without_id_gets_one),
		cmocka_unit_test(test_schema_version),
		cmocka_unit_test(test_baseline_all_or_nothing),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
