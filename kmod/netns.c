// SPDX-License-Identifier: GPL-2.0
/*
 * kipsec: per network namespace state.
 */
#include <linux/rtnetlink.h>

#include "kipsec.h"
#include "sa.h"

unsigned int kipsec_net_id __read_mostly;

static int __net_init kipsec_net_init(struct net *net)
{
	struct kipsec_net *kn = kipsec_net(net);
	int ret;

	mutex_init(&kn->lock);
	INIT_LIST_HEAD(&kn->tunnels);
	kipsec_lifetime_net_init(kn);
	ret = kipsec_sa_table_init(kn);
	if (ret)
		goto err_mutex;
	ret = kipsec_receive_net_init(net);
	if (ret)
		goto err_table;
	return 0;

err_table:
	kipsec_sa_table_destroy(kn);
err_mutex:
	mutex_destroy(&kn->lock);
	return ret;
}

/* Before the tunnels go: no more packets are taken from this namespace. */
static void __net_exit kipsec_net_pre_exit(struct net *net)
{
	kipsec_receive_net_exit(net);
}

/*
 * A dying namespace takes its tunnels with it. The core would delete them
 * too, but only after our exit has run; deleting them here keeps every
 * tunnel's lifetime inside its kipsec_net's.
 */
static void __net_exit kipsec_net_exit_batch(struct list_head *net_list)
{
	struct kipsec_tunnel *t, *tmp;
	struct kipsec_net *kn;
	LIST_HEAD(kill_list);
	struct net *net;

	rtnl_lock();
	list_for_each_entry(net, net_list, exit_list) {
		kn = kipsec_net(net);
		list_for_each_entry_safe(t, tmp, &kn->tunnels, list)
			kipsec_tunnel_kill(t, &kill_list);
	}
	unregister_netdevice_many(&kill_list);
	rtnl_unlock();

	list_for_each_entry(net, net_list, exit_list) {
		kn = kipsec_net(net);
		WARN_ON(!list_empty(&kn->tunnels));
		kipsec_lifetime_net_exit(kn);
		kipsec_sa_table_destroy(kn);
		mutex_destroy(&kn->lock);
	}
}

static struct pernet_operations kipsec_net_ops = {
	.init = kipsec_net_init,
	.pre_exit = kipsec_net_pre_exit,
	.exit_batch = kipsec_net_exit_batch,
	.id = &kipsec_net_id,
	.size = sizeof(struct kipsec_net),
};

int kipsec_netns_init(void)
{
	return register_pernet_device(&kipsec_net_ops);
}

void kipsec_netns_uninit(void)
{
	unregister_pernet_device(&kipsec_net_ops);
}
