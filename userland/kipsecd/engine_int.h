/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipsecd engine internals, shared by exchange.c (dispatch, timers,
 * retransmission, encryption), phase1.c (Main and Aggressive Mode),
 * quick.c (Quick Mode, installed SAs, rekey), info.c (Informational, DPD)
 * and diag.c (the texts of diagnostics).
 */
#ifndef KIPSECD_ENGINE_INT_H
#define KIPSECD_ENGINE_INT_H

#include "engine.h"
#include "ikecrypto.h"
#include "payload.h"

/* Timer kinds, in the low byte of a timer id; the object serial above. */
enum ike_timer_kind {
	T_P1_XMIT = 1,		/* phase 1 retransmission */
	T_QM_XMIT,		/* Quick Mode retransmission */
	T_DPD,			/* DPD idle check / retry */
	T_P1_EXPIRE,		/* phase 1 lifetime */
	T_CHILD_DELETE,		/* rekeyed pair's grace period over */
	T_CHILD_SETTLE,		/* our rekey: time for the new outbound SA */
};

#define TIMER_ID(serial, kind) (((uint64_t)(serial) << 8) | (kind))

/*
 * Phase 1 states: what we sent last and what we wait for. I = initiator,
 * R = responder, the digit is the message number we sent.
 */
enum p1_state {
	P1_MM_I1,		/* MM1 sent, waiting for MM2 */
	P1_MM_I3,		/* MM3 sent, waiting for MM4 */
	P1_MM_I5,		/* MM5 sent, waiting for MM6 */
	P1_MM_R2,		/* MM2 sent, waiting for MM3 */
	P1_MM_R4,		/* MM4 sent, waiting for MM5 */
	P1_AM_I1,		/* AM1 sent, waiting for AM2 */
	P1_AM_R2,		/* AM2 sent, waiting for AM3 */
	P1_ESTABLISHED,
};

enum qm_state {
	QM_I1,			/* QM1 sent, waiting for QM2 */
	QM_R2,			/* QM2 sent, waiting for QM3 */
	QM_DONE,		/* kept to answer duplicates, to block M-ID reuse */
};

/* Our last message of an exchange and the message it answered. */
struct ike_xmit {
	uint8_t *buf;		/* last sent, for retransmission and duplicates */
	size_t len;
	uint8_t *rx;		/* last received that produced it */
	size_t rx_len;
	unsigned tries;		/* retransmissions so far */
	bool armed;		/* waiting for an answer: retransmit on timeout */
};

#define IKE_MAX_NONCE 32	/* what we send; we accept up to 256 */
#define P1_HALF_OPEN_MAX 16	/* responder negotiations under way per tunnel */
#define QM_PENDING_MAX 32	/* responder Quick Modes waiting for QM3 per phase 1 */
#define P1_MSGID_RING 64
#define QM_DONE_KEEP 16		/* finished Quick Modes kept per phase 1 */

struct ike_qm;

struct ike_p1 {
	struct ike_p1 *next;
	struct ike_engine *e;
	const struct kipsecd_tunnel *t;
	uint32_t serial;
	enum p1_state state;
	bool initiator, aggressive;
	bool replaced;		/* a newer phase 1 took over */
	bool is_rekey;		/* started by ike_engine_rekey_phase1 */
	bool deleting;
	uint8_t icky[8], rcky[8];

	struct kipsecd_p1_proposal prop;	/* chosen */
	uint32_t lifetime;			/* seconds agreed */

	struct ike_dh *dh;
	uint8_t *sai_b;				/* initiator's SA payload body */
	size_t sai_len;
	uint8_t *idi_b;				/* aggressive: IDii_b of message 1 */
	size_t idi_len;
	uint8_t gxi[IKE_MAX_DH_LEN], gxr[IKE_MAX_DH_LEN];
	size_t gx_len;
	uint8_t ni[IKE_NONCE_MAX], nr[IKE_NONCE_MAX];
	size_t ni_len, nr_len;
	uint8_t gxy[IKE_MAX_DH_LEN];
	size_t gxy_len;
	bool have_keys;
	struct ike_p1_keys keys;
	uint16_t enc;				/* IKE_ENC_* */
	size_t block_len;
	struct ike_iv iv;			/* phase 1 CBC state */

	struct ike_xmit x;
	uint64_t last_rx_ms;
	uint64_t established_ms;
	uint16_t last_plain_notify;		/* logged already */

	bool peer_dpd;				/* peer sent the DPD vendor ID */
	uint32_t dpd_seq;			/* last R-U-THERE we sent */
	uint32_t dpd_peer_seq;			/* last R-U-THERE we answered */
	bool dpd_waiting;
	unsigned dpd_missed;			/* R-U-THERE unanswered in a row */

	uint32_t msgids[P1_MSGID_RING];		/* M-IDs seen, for reuse checks */
	unsigned n_msgids;
	struct ike_qm *qms;
};

struct ike_qm {
	struct ike_qm *next;
	struct ike_p1 *p1;
	uint32_t serial;
	uint32_t msgid;
	enum qm_state state;
	bool initiator;
	struct ike_iv iv;
	size_t pidx;
	uint32_t rekey_of;			/* serial of the child replaced, 0 */

	uint32_t spi_esp, spi_ah;		/* initiator: inbound SPIs offered */
	uint32_t spi_in, spi_out;
	bool in_installed;			/* responder: inbound SA in since QM2 */
	const struct kipsecd_p2_proposal *chosen;
	uint32_t life_s;
	uint64_t life_kb;
	struct ike_dh *dh;
	uint16_t pfs;				/* group, 0: none */
	uint8_t gqm[IKE_MAX_DH_LEN];
	size_t gqm_len;
	uint8_t ni[IKE_NONCE_MAX], nr[IKE_NONCE_MAX];
	size_t ni_len, nr_len;
	struct ike_xmit x;
	uint64_t done_ms;
};

/* An installed pair. */
struct ike_child {
	struct ike_child *next;
	const struct kipsecd_tunnel *t;
	uint32_t serial;
	uint32_t p1_serial;			/* the phase 1 that made it */
	size_t pidx;
	uint8_t proto;				/* IPPROTO_ESP or IPPROTO_AH */
	uint32_t spi_in, spi_out;
	const struct kipsecd_p2_proposal *prop;
	uint32_t life_s;
	uint64_t life_kb;
	uint64_t created_ms;
	bool rekeyed;
	uint8_t ni_tag[16];			/* start of its Quick Mode's Ni */
	/*
	 * Our rekey, settling (T_CHILD_SETTLE armed): the inbound SA is in,
	 * the outbound one waits. settle[0] is the inbound SA, settle[1] the
	 * outbound one, with their keys (no phase 1 is needed to finish);
	 * wiped when freed. NULL once the pair is complete.
	 */
	struct ike_child_sa *settle;
	uint32_t replaces;			/* settling: serial of the old pair */
};

struct ike_tun {
	const struct kipsecd_tunnel *t;
	bool contacted;		/* INITIAL-CONTACT already sent */
	bool rekeying;		/* the next phase 1 we start is a rekey */
	bool *pending;		/* proxy IDs waiting for phase 1 */
};

struct ike_engine {
	struct ike_env env;
	struct ike_tun *tuns;
	size_t ntuns;
	struct ike_p1 *p1s;
	struct ike_child *children;
	uint32_t serial;
};

/*
 * Diagnostics: every log text of the engine, in one place. Lines are
 * "phase 1: ...", "phase 2: ...", "informational: ...", "DPD: ..." or
 * "dropped ...: <decoder or check reason>".
 */
#define D_DROP			"dropped %s: %s"
#define D_P1_NO_PROPOSAL	"phase 1: no proposal chosen: peer offered %s; we accept %s"
#define D_P1_BAD_CHOICE		"phase 1: peer chose a transform we did not offer: %s"
#define D_P1_HASH_FAIL		"phase 1: %s does not verify: pre-shared keys differ (or peer ID)"
#define D_P1_UNDECRYPTABLE	"phase 1: message %d does not decrypt to a valid message: pre-shared keys differ"
#define D_P1_ID_MISMATCH	"phase 1: peer ID %s does not match remote-id %s"
#define D_P1_DH_FAIL		"phase 1: peer's KE payload refused: %s"
#define D_P1_GIVE_UP		"phase 1: no answer from the peer to %s after %u retransmissions, giving up"
#define D_P1_UP			"phase 1: established (%s mode, %s, %s, lifetime %us, DPD %s)"
#define D_P1_TOO_MANY		"phase 1: %u negotiations with this peer under way already, message 1 ignored"
#define D_P2_TOO_MANY		"phase 2: %u Quick Modes from the peer under way already, message 1 ignored"
#define D_P1_PEER_NOTIFY	"phase 1: peer says %s (unauthenticated notification, ignored until the exchange times out)"
#define D_P2_NO_PROPOSAL	"phase 2: no proposal chosen: peer offered %s; we accept %s%s"
#define D_P2_BAD_CHOICE		"phase 2: peer chose a proposal we did not offer: %s"
#define D_P2_ID_MISMATCH	"phase 2: proxy IDs do not match: peer proposed %s; we have %s (local <-> remote, seen from here)"
#define D_P2_ID_ECHO		"phase 2: peer answered with proxy IDs %s, we proposed %s"
#define D_P2_PFS_MISMATCH	"phase 2: PFS mismatch: %s"
#define D_P2_HASH_FAIL		"phase 2: %s does not verify (message ID %08x)"
#define D_P2_UP			"phase 2: SA pair installed for %s: %s, in %s/%08x out %s/%08x, lifetime %us%s"
#define D_P2_SETTLE		"phase 2: rekey of %s: inbound SA %s/%08x in, outbound %s/%08x in %llu ms (the peer installs at message 3)"
#define D_P2_SETTLE_NOW		"phase 2: the pair being rekeyed is gone: outbound SA %08x now"
#define D_P2_INSTALL_FAIL	"phase 2: installing the SA pair for %s failed"
#define D_P2_SPI_FAIL		"phase 2: no SPI from the kernel for %s"
#define D_P2_GIVE_UP		"phase 2: no answer from the peer to Quick Mode %08x after %u retransmissions, giving up"
#define D_P2_RESP_LIFETIME	"phase 2: peer lowered the lifetime to %us%s (RESPONDER-LIFETIME)"
#define D_P2_PEER_ERROR		"phase 2: peer says %s"
#define D_INFO_DELETE_P2	"informational: peer deleted %s SA %08x; deleted the pair for %s"
#define D_INFO_DELETE_P1	"informational: peer deleted the phase 1 SA"
#define D_INFO_NOTIFY		"informational: peer says %s%s"
#define D_INITIAL_CONTACT	"phase 1: INITIAL-CONTACT from the peer: deleting %u stale SA pair(s) and %u phase 1 SA(s)"
#define D_DPD_DEAD		"DPD: peer dead: no R-U-THERE-ACK after %u R-U-THERE, clearing the tunnel's SAs"
#define D_DPD_BAD_SEQ		"DPD: R-U-THERE-ACK with sequence %u, expected %u: ignored"

/* exchange.c */
void elog(struct ike_engine *e, const struct kipsecd_tunnel *t,
	  enum kipsecd_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void erandom(struct ike_engine *e, uint8_t *buf, size_t len);
uint64_t enow(struct ike_engine *e);
struct ike_tun *tun_find(struct ike_engine *e, const struct kipsecd_tunnel *t);
uint32_t new_serial(struct ike_engine *e);
/* Sends b's message and keeps it in x for retransmission (arm: wait for an answer). */
void xmit_send(struct ike_engine *e, const struct kipsecd_tunnel *t,
	       struct ike_xmit *x, struct ike_buf *b, bool arm,
	       ike_timer_id tid, const uint8_t *rx, size_t rx_len);
void xmit_stop(struct ike_engine *e, struct ike_xmit *x, ike_timer_id tid);
void xmit_free(struct ike_engine *e, struct ike_xmit *x, ike_timer_id tid);
void etimer_set(struct ike_engine *e, ike_timer_id id, uint64_t ms);
void etimer_cancel(struct ike_engine *e, ike_timer_id id);
bool engine_xmit_duplicate(struct ike_engine *e, const struct kipsecd_tunnel *t,
			   struct ike_xmit *x, const uint8_t *buf, size_t len);
/*
 * Decrypts buf (in place) with iv (a copy the caller commits only once the
 * message's hash verifies) and decodes it into m; -1 with a reason.
 */
int open_msg(struct ike_p1 *p1, uint8_t *buf, size_t len, struct ike_iv *iv,
	     struct ike_msg *m, char *why, size_t wl);
/* Pads, fixes the length and encrypts b from the header on; false on failure. */
bool seal(struct ike_p1 *p1, struct ike_builder *b, struct ike_iv *iv);
struct ike_p1 *p1_new(struct ike_engine *e, const struct kipsecd_tunnel *t,
		      bool initiator, bool aggressive);
void p1_free(struct ike_p1 *p1);
void p1_unlink_free(struct ike_p1 *p1);
struct ike_p1 *p1_established(struct ike_engine *e, const struct kipsecd_tunnel *t);
struct ike_p1 *p1_connecting(struct ike_engine *e, const struct kipsecd_tunnel *t);
bool p1_msgid_used(struct ike_p1 *p1, uint32_t msgid);
void p1_msgid_add(struct ike_p1 *p1, uint32_t msgid);
void qm_free(struct ike_qm *qm);
void p1_remove_qm(struct ike_p1 *p1, struct ike_qm *qm);
void start_pending(struct ike_engine *e, struct ike_p1 *p1);

/* phase1.c */
int p1_initiate(struct ike_engine *e, const struct kipsecd_tunnel *t);
void p1_input(struct ike_engine *e, struct ike_p1 *p1, uint8_t *buf, size_t len,
	      const struct ike_hdr *h);
void p1_respond(struct ike_engine *e, const struct kipsecd_tunnel *t,
		uint8_t *buf, size_t len, const struct ike_hdr *h);
void p1_xmit_timeout(struct ike_p1 *p1);
void p1_id_from_config(const struct kipsecd_tunnel *t, const struct kipsecd_id *cid,
		       bool local, struct ike_id *id);

/* quick.c */
int qm_initiate(struct ike_engine *e, struct ike_p1 *p1, size_t pidx,
		uint32_t rekey_of);
void qm_input(struct ike_engine *e, struct ike_p1 *p1, uint8_t *buf, size_t len,
	      const struct ike_hdr *h);
void qm_xmit_timeout(struct ike_qm *qm);
struct ike_child *child_find_serial(struct ike_engine *e, uint32_t serial);
void child_delete(struct ike_engine *e, struct ike_child *c, bool tell_peer);
/* Frees an unlinked pair (timers, settling SAs), without touching the kernel. */
void child_free(struct ike_engine *e, struct ike_child *c);
void child_grace_over(struct ike_engine *e, struct ike_child *c);
void child_settle_over(struct ike_engine *e, struct ike_child *c);
/* The pair @serial was deleted: a settling rekey of it switches now. */
void child_replaced_gone(struct ike_engine *e, const struct kipsecd_tunnel *t,
			 uint32_t serial);
bool proxy_settling(struct ike_engine *e, const struct kipsecd_tunnel *t, size_t pidx);
bool proxy_has_child(struct ike_engine *e, const struct kipsecd_tunnel *t, size_t pidx);
bool proxy_has_qm(struct ike_engine *e, const struct kipsecd_tunnel *t, size_t pidx);

/* info.c */
void info_input(struct ike_engine *e, struct ike_p1 *p1, uint8_t *buf, size_t len,
		const struct ike_hdr *h);
void info_plain_input(struct ike_engine *e, struct ike_p1 *p1, struct ike_msg *m);
/* An encrypted Informational with one Notify or Delete on an established p1. */
void info_send_notify(struct ike_engine *e, struct ike_p1 *p1, uint8_t proto,
		      const uint8_t *spi, size_t spi_len, uint16_t type,
		      const uint8_t *data, size_t data_len);
void info_send_delete(struct ike_engine *e, struct ike_p1 *p1, uint8_t proto,
		      const uint8_t *spis, size_t spi_len, unsigned nspis);
/* A plaintext notification (errors before phase 1 keys exist). */
void info_send_plain_notify(struct ike_engine *e, const struct kipsecd_tunnel *t,
			    const uint8_t icky[8], const uint8_t rcky[8],
			    uint16_t type);
void dpd_start(struct ike_engine *e, struct ike_p1 *p1);
void dpd_timer(struct ike_p1 *p1);
void initial_contact(struct ike_engine *e, struct ike_p1 *p1);

/* diag.c */
const char *notify_name(uint16_t type, char *buf, size_t len);
/* Phase 1 transforms of an SA payload: "aes256-sha256-modp2048, ..." */
void diag_p1_offer(const struct ike_sa_pl *sa, char *buf, size_t len);
void diag_p1_ours(const struct kipsecd_tunnel *t, char *buf, size_t len);
void diag_p1_transform(const struct ike_transform *tr, char *buf, size_t len);
/* Phase 2 proposals as kipsecd words: "g14-esp-aes256-sha256, ..." */
void diag_p2_offer(const struct ike_sa_pl *sa, char *buf, size_t len);
void diag_p2_ours(const struct kipsecd_tunnel *t, char *buf, size_t len);
void diag_p2_proposal(const struct ike_proposal *p, char *buf, size_t len);
/* "10.1.0.0/24 -> 10.2.0.0/24" (with [proto/port] when set), from an ID pair */
void diag_id_pair(const struct ike_id *local, const struct ike_id *remote,
		  char *buf, size_t len);
void diag_proxy(const struct kipsecd_tunnel *t, size_t pidx, char *buf, size_t len);
void diag_proxies(const struct kipsecd_tunnel *t, char *buf, size_t len);
const char *diag_p1_id(const struct ike_id *id, char *buf, size_t len);
const char *proto_name(uint8_t ipproto);

/* A phase 2 transform as numbers. */
struct p2_offer {
	uint8_t proto;		/* IKE_PROTO_ESP / _AH */
	uint8_t transform;
	uint16_t keybits, auth, encap, group;
	uint64_t life_s, life_kb;
	bool esn;
	bool other;		/* an attribute we do not know */
};

void p2_offer_parse(uint8_t proto, const struct ike_transform *tr, struct p2_offer *o);
void qm_peer_error(struct ike_engine *e, struct ike_p1 *p1, uint16_t type,
		   const uint8_t *spi, size_t spi_len);

/* quick.c: proxy IDs on the wire */
void proxy_to_ids(const struct kipsecd_tunnel *t, size_t pidx, bool initiator,
		  struct ike_id *idci, struct ike_id *idcr);

#endif
