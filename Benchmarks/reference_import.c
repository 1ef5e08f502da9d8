// The pinned SQLite reference for imports and merges (Benchmarks/import.sh): the same JSON Lines loaded into the
// same tables and the same FTS5 table and tokenizer as Treaty's, by SQLite alone.
//
//   reference_import DB SCHEMA.sql INPUT.jsonl KIND:FIELD,FIELD... [KIND:FIELD...]
//
// DB is created from SCHEMA.sql (the record tables and search_fts, dumped from a Treaty database made in the same
// run). Then, in one transaction, with one prepared statement per table: each line's fields go into its kind's
// table (SQLite's JSON functions parse the line; provenance columns get constants), and each record of a kind
// named on the command line gets one search document, its named fields joined by newlines, written to both the
// text and the phonetic column (the same bytes of index work, without Treaty's spelling folding). WAL,
// synchronous=FULL and foreign keys on, as Treaty opens its database. Prints the seconds taken, parsing included.
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_KINDS 32

struct kind {
    char name[64];
    sqlite3_stmt *insert;
    sqlite3_stmt *index;  // NULL when the kind has no search document
};

static sqlite3 *db;

static void check(int rc, const char *what) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
        exit(1);
    }
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(1); }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    rewind(f);
    char *text = malloc(size + 1);
    if (fread(text, 1, size, f) != (size_t)size) { perror(path); exit(1); }
    text[size] = 0;
    fclose(f);
    return text;
}

// INSERT INTO "kind" (every column) VALUES (json_extract(?1, '$.column') or a constant for provenance).
static sqlite3_stmt *prepare_insert(const char *kind) {
    char sql[8192], columns[4096] = "", values[4096] = "";
    snprintf(sql, sizeof sql, "PRAGMA table_info(\"%s\")", kind);
    sqlite3_stmt *info;
    check(sqlite3_prepare_v2(db, sql, -1, &info, NULL), sql);
    while (sqlite3_step(info) == SQLITE_ROW) {
        const char *column = (const char *)sqlite3_column_text(info, 1);
        char value[256];
        if (!strcmp(column, "version")) snprintf(value, sizeof value, "1");
        else if (!strcmp(column, "deleted")) snprintf(value, sizeof value, "0");
        else if (!strncmp(column, "created_", 8) || !strncmp(column, "updated_", 8)) snprintf(value, sizeof value, "'reference'");
        else snprintf(value, sizeof value, "json_extract(?1, '$.%s')", column);
        snprintf(columns + strlen(columns), sizeof columns - strlen(columns), "%s\"%s\"", *columns ? ", " : "", column);
        snprintf(values + strlen(values), sizeof values - strlen(values), "%s%s", *values ? ", " : "", value);
    }
    sqlite3_finalize(info);
    snprintf(sql, sizeof sql, "INSERT INTO \"%s\" (%s) VALUES (%s)", kind, columns, values);
    sqlite3_stmt *insert;
    check(sqlite3_prepare_v2(db, sql, -1, &insert, NULL), sql);
    return insert;
}

// INSERT INTO search_fts: the named fields that are present, joined by newlines, as text and phonetic.
static sqlite3_stmt *prepare_index(const char *kind, const char *fields) {
    char document[4096] = "", sql[8192];
    char copy[1024];
    snprintf(copy, sizeof copy, "%s", fields);
    for (char *field = strtok(copy, ","); field; field = strtok(NULL, ",")) {
        snprintf(document + strlen(document), sizeof document - strlen(document), "%sifnull(json_extract(?1, '$.%s') || char(10), '')",
                 *document ? " || " : "", field);
    }
    // Treaty's index is contentless (text and phonetic); an older one also had kind and id columns.
    sqlite3_stmt *columns;
    check(sqlite3_prepare_v2(db, "SELECT count(*) FROM pragma_table_info('search_fts') WHERE name = 'kind'", -1, &columns, NULL),
          "search_fts");
    check(sqlite3_step(columns), "search_fts");
    int keyed = sqlite3_column_int(columns, 0);
    sqlite3_finalize(columns);
    if (keyed)
        snprintf(sql, sizeof sql,
                 "INSERT INTO search_fts (rowid, kind, id, text, phonetic) "
                 "SELECT ?2, '%s', json_extract(?1, '$.id'), d, d FROM (SELECT rtrim(%s, char(10)) AS d)", kind, document);
    else
        snprintf(sql, sizeof sql,
                 "INSERT INTO search_fts (rowid, text, phonetic) SELECT ?2, d, d FROM (SELECT rtrim(%s, char(10)) AS d)",
                 document);
    sqlite3_stmt *index;
    check(sqlite3_prepare_v2(db, sql, -1, &index, NULL), sql);
    return index;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: reference_import DB SCHEMA.sql INPUT.jsonl KIND:FIELD,FIELD... [...]\n");
        return 2;
    }
    check(sqlite3_open(argv[1], &db), argv[1]);
    check(sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", NULL, NULL, NULL),
          "pragmas");
    check(sqlite3_exec(db, slurp(argv[2]), NULL, NULL, NULL), argv[2]);
    struct kind kinds[MAX_KINDS];
    int count = 0;
    sqlite3_stmt *type;
    check(sqlite3_prepare_v2(db, "SELECT json_extract(?1, '$.type')", -1, &type, NULL), "type");

    FILE *input = fopen(argv[3], "rb");
    if (!input) { perror(argv[3]); return 1; }
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    check(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), "BEGIN");
    char *line = NULL;
    size_t capacity = 0;
    ssize_t length;
    long long rows = 0;
    while ((length = getline(&line, &capacity, input)) > 0) {
        while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r')) line[--length] = 0;
        if (length == 0) continue;
        sqlite3_bind_text(type, 1, line, (int)length, SQLITE_STATIC);
        check(sqlite3_step(type), "type");
        const char *name = (const char *)sqlite3_column_text(type, 0);
        struct kind *kind = NULL;
        for (int i = 0; i < count && name; i++) if (!strcmp(kinds[i].name, name)) kind = &kinds[i];
        if (!kind && name && count < MAX_KINDS) {
            kind = &kinds[count++];
            snprintf(kind->name, sizeof kind->name, "%s", name);
            kind->insert = prepare_insert(name);
            kind->index = NULL;
            for (int a = 4; a < argc; a++) {
                size_t n = strlen(name);
                if (!strncmp(argv[a], name, n) && argv[a][n] == ':') kind->index = prepare_index(name, argv[a] + n + 1);
            }
        }
        sqlite3_reset(type);
        if (!kind) { fprintf(stderr, "line without a type: %s\n", line); return 1; }
        rows++;
        sqlite3_bind_text(kind->insert, 1, line, (int)length, SQLITE_STATIC);
        check(sqlite3_step(kind->insert), "insert");
        sqlite3_reset(kind->insert);
        if (kind->index) {
            sqlite3_bind_text(kind->index, 1, line, (int)length, SQLITE_STATIC);
            sqlite3_bind_int64(kind->index, 2, rows);
            check(sqlite3_step(kind->index), "index");
            sqlite3_reset(kind->index);
        }
    }
    check(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), "COMMIT");
    clock_gettime(CLOCK_MONOTONIC, &end);
    printf("%.2f\n", (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9);
    return 0;
}
