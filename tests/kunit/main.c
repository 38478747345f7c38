// SPDX-License-Identifier: GPL-2.0
/*
 * kipsec_test.ko: the module's KUnit suites. Each suite lives in its own
 * file and registers itself; loading this module runs them all. It uses
 * the symbols kipsec.ko exports for KUnit only (EXPORT_SYMBOL_IF_KUNIT).
 */
#include <linux/module.h>

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests of kipsec");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
