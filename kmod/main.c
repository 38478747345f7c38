// SPDX-License-Identifier: GPL-2.0
/*
 * kipsec: module registration. Every other file owns one concern.
 */
#include <linux/module.h>
#include <net/genetlink.h>
#include <net/rtnetlink.h>

#include "kipsec.h"
#include "uapi/kipsec.h"

#define KIPSEC_VERSION "0.1.0"

struct workqueue_struct *kipsec_wq;

static int __init kipsec_init(void)
{
	int ret;

	kipsec_wq = alloc_workqueue("kipsec", 0, 0);
	if (!kipsec_wq)
		return -ENOMEM;

	ret = kipsec_netns_init();
	if (ret)
		goto err_wq;

	ret = kipsec_receive_init();
	if (ret)
		goto err_netns;

	ret = kipsec_device_init();
	if (ret)
		goto err_receive;

	ret = kipsec_genl_init();
	if (ret)
		goto err_device;

	pr_info("kipsec " KIPSEC_VERSION " loaded\n");
	return 0;

err_device:
	kipsec_device_uninit();
err_receive:
	kipsec_receive_uninit();
err_netns:
	kipsec_netns_uninit();
err_wq:
	destroy_workqueue(kipsec_wq);
	return ret;
}

static void __exit kipsec_exit(void)
{
	kipsec_genl_uninit();
	kipsec_device_uninit();
	kipsec_receive_uninit();
	kipsec_netns_uninit();
	/* SAs are freed by RCU work: wait for the callbacks that queue it,
	 * then for the work itself.
	 */
	rcu_barrier();
	destroy_workqueue(kipsec_wq);
}

module_init(kipsec_init);
module_exit(kipsec_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kipsec: route-based IPsec tunnels (ESP and AH)");
MODULE_AUTHOR("The kipsec authors");
MODULE_VERSION(KIPSEC_VERSION);
MODULE_ALIAS_RTNL_LINK(KIPSEC_LINK_KIND);
MODULE_ALIAS_GENL_FAMILY(KIPSEC_GENL_NAME);
