// SPDX-License-Identifier: GPL-2.0
#include "json.h"

void json_init(struct json *j, FILE *out)
{
	j->out = out;
	j->depth = 0;
	j->need_comma[0] = false;
}

/* Before a value: a comma if a sibling came before it. */
static void value_start(struct json *j)
{
	if (j->need_comma[j->depth])
		fputc(',', j->out);
	j->need_comma[j->depth] = true;
}

static void open_(struct json *j, char c)
{
	value_start(j);
	fputc(c, j->out);
	if (j->depth < JSON_MAX_DEPTH - 1)
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void close_(struct json *j, char c)
{
	if (j->depth > 0)
		j->depth--;
	fputc(c, j->out);
	if (j->depth == 0)
		fputc('\n', j->out);
}

void json_begin_object(struct json *j) { open_(j, '{'); }
void json_end_object(struct json *j) { close_(j, '}'); }
void json_begin_array(struct json *j) { open_(j, '['); }
void json_end_array(struct json *j) { close_(j, ']'); }

static void put_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (c < 0x20)
				fprintf(out, "\\u%04x", c);
			else
				fputc(c, out);
		}
	}
	fputc('"', out);
}

void json_key(struct json *j, const char *key)
{
	value_start(j);
	put_string(j->out, key);
	fputc(':', j->out);
	/* The value that follows belongs to this key: no comma before it. */
	j->need_comma[j->depth] = false;
}

static void after_value(struct json *j)
{
	j->need_comma[j->depth] = true;
}

void json_string(struct json *j, const char *s)
{
	value_start(j);
	put_string(j->out, s);
	after_value(j);
}

void json_u64(struct json *j, uint64_t v)
{
	value_start(j);
	fprintf(j->out, "%llu", (unsigned long long)v);
	after_value(j);
}

void json_bool(struct json *j, bool v)
{
	value_start(j);
	fputs(v ? "true" : "false", j->out);
	after_value(j);
}

void json_null(struct json *j)
{
	value_start(j);
	fputs("null", j->out);
	after_value(j);
}
