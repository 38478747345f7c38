// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the JSON writer (userland/lib/json.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "../../userland/lib/json.h"

static char *buf;
static size_t len;
static FILE *out;
static struct json j;

static int setup(void **state)
{
	(void)state;
	out = open_memstream(&buf, &len);
	json_init(&j, out);
	return out ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	fclose(out);
	free(buf);
	return 0;
}

static const char *result(void)
{
	fflush(out);
	return buf;
}

static void test_nested(void **state)
{
	(void)state;
	json_begin_array(&j);
	json_begin_object(&j);
	json_key(&j, "ifname");
	json_string(&j, "kipsec0");
	json_key(&j, "ifindex");
	json_u64(&j, 4);
	json_key(&j, "local");
	json_null(&j);
	json_key(&j, "list");
	json_begin_array(&j);
	json_bool(&j, true);
	json_bool(&j, false);
	json_end_array(&j);
	json_end_object(&j);
	json_begin_object(&j);
	json_end_object(&j);
	json_end_array(&j);
	assert_string_equal(result(),
		"[{\"ifname\":\"kipsec0\",\"ifindex\":4,\"local\":null,"
		"\"list\":[true,false]},{}]\n");
}

static void test_escapes(void **state)
{
	(void)state;
	json_begin_object(&j);
	json_key(&j, "k\"ey");
	json_string(&j, "a\\b\n\t\x01");
	json_end_object(&j);
	assert_string_equal(result(), "{\"k\\\"ey\":\"a\\\\b\\n\\t\\u0001\"}\n");
}

static void test_big_number(void **state)
{
	(void)state;
	json_begin_array(&j);
	json_u64(&j, UINT64_MAX);
	json_end_array(&j);
	assert_string_equal(result(), "[18446744073709551615]\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nested, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_big_number, setup, teardown),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
