/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small streaming JSON writer for the CLI's -j output: objects, arrays,
 * strings (escaped), numbers, booleans and null, with commas placed for us.
 */
#ifndef KIPSEC_JSON_H
#define KIPSEC_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *out;
	int depth;
	bool need_comma[JSON_MAX_DEPTH];
};

void json_init(struct json *j, FILE *out);
void json_begin_object(struct json *j);
void json_end_object(struct json *j);
void json_begin_array(struct json *j);
void json_end_array(struct json *j);
/* Inside an object: the key of the next value. */
void json_key(struct json *j, const char *key);
void json_string(struct json *j, const char *s);
void json_u64(struct json *j, uint64_t v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);

#endif
