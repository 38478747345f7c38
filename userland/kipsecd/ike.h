/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IKEv1 protocol numbers: ISAKMP (RFC 2408), the IPsec DOI (RFC 2407), IKE
 * (RFC 2409) and the later additions kipsecd speaks (RFC 3526 and 5903
 * groups, RFC 8031 curve25519, RFC 4304 ESN, RFC 3706 DPD, RFC 4106/4309
 * AEAD transforms, RFC 4868 SHA-2). Values are the IANA "Internet Key
 * Exchange (IKE) Attributes" and "ISAKMP Identifiers" registries.
 */
#ifndef KIPSECD_IKE_H
#define KIPSECD_IKE_H

/* ISAKMP header (RFC 2408 3.1). */
#define IKE_HDR_LEN		28
#define IKE_GENERIC_HDR_LEN	4
#define IKE_VERSION		0x10	/* major 1, minor 0 */
#define IKE_MAJOR_VERSION	1
#define IKE_MINOR_VERSION	0
#define IKE_COOKIE_LEN		8

/* Header flags (RFC 2408 3.1). */
#define IKE_FLAG_ENC		0x01	/* payloads after the header encrypted */
#define IKE_FLAG_COMMIT		0x02
#define IKE_FLAG_AUTH_ONLY	0x04

/* Exchange types (RFC 2408 3.1, RFC 2409 5 and 9). */
#define IKE_XCHG_NONE		0
#define IKE_XCHG_BASE		1
#define IKE_XCHG_MAIN		2	/* Identity Protection */
#define IKE_XCHG_AUTH_ONLY	3
#define IKE_XCHG_AGGRESSIVE	4
#define IKE_XCHG_INFO		5	/* Informational */
#define IKE_XCHG_QUICK		32
#define IKE_XCHG_NEW_GROUP	33

/* Payload types (RFC 2408 3.1; NAT-D/NAT-OA RFC 3947). */
#define IKE_PL_NONE		0
#define IKE_PL_SA		1
#define IKE_PL_P		2	/* Proposal, only inside SA */
#define IKE_PL_T		3	/* Transform, only inside a Proposal */
#define IKE_PL_KE		4
#define IKE_PL_ID		5
#define IKE_PL_CERT		6
#define IKE_PL_CR		7
#define IKE_PL_HASH		8
#define IKE_PL_SIG		9
#define IKE_PL_NONCE		10
#define IKE_PL_N		11
#define IKE_PL_D		12
#define IKE_PL_VID		13
#define IKE_PL_NAT_D		20
#define IKE_PL_NAT_OA		21

/* Domain of Interpretation and situation (RFC 2407 4.2). */
#define IKE_DOI_ISAKMP		0
#define IKE_DOI_IPSEC		1
#define IKE_SIT_IDENTITY_ONLY	0x01
#define IKE_SIT_SECRECY		0x02
#define IKE_SIT_INTEGRITY	0x04

/* Protocol IDs (RFC 2407 4.4.1). */
#define IKE_PROTO_ISAKMP	1
#define IKE_PROTO_AH		2
#define IKE_PROTO_ESP		3
#define IKE_PROTO_IPCOMP	4

/* ISAKMP transform ID (RFC 2407 4.4.2). */
#define IKE_TRANS_KEY_IKE	1

/* AH transform IDs (RFC 2407 4.4.3, IANA). */
#define IKE_AH_MD5		2
#define IKE_AH_SHA		3
#define IKE_AH_DES		4
#define IKE_AH_SHA2_256		5
#define IKE_AH_SHA2_384		6
#define IKE_AH_SHA2_512		7

/* ESP transform IDs (RFC 2407 4.4.4, RFC 3602, 3686, 4106, 4309, 4543). */
#define IKE_ESP_DES_IV64	1
#define IKE_ESP_DES		2
#define IKE_ESP_3DES		3
#define IKE_ESP_RC5		4
#define IKE_ESP_IDEA		5
#define IKE_ESP_CAST		6
#define IKE_ESP_BLOWFISH	7
#define IKE_ESP_3IDEA		8
#define IKE_ESP_DES_IV32	9
#define IKE_ESP_RC4		10
#define IKE_ESP_NULL		11
#define IKE_ESP_AES_CBC		12
#define IKE_ESP_AES_CTR		13
#define IKE_ESP_AES_CCM_8	14
#define IKE_ESP_AES_CCM_12	15
#define IKE_ESP_AES_CCM_16	16
#define IKE_ESP_AES_GCM_8	18
#define IKE_ESP_AES_GCM_12	19
#define IKE_ESP_AES_GCM_16	20
#define IKE_ESP_NULL_AUTH_AES_GMAC 23

/* Data attributes: the high bit of the type selects the TV (basic) form. */
#define IKE_ATTR_FORM_TV	0x8000
#define IKE_ATTR_TYPE_MASK	0x7fff

/* Phase 1 SA attribute types (RFC 2409 Appendix A). */
#define IKE_ATTR_ENC_ALG	1	/* B */
#define IKE_ATTR_HASH_ALG	2	/* B */
#define IKE_ATTR_AUTH_METHOD	3	/* B */
#define IKE_ATTR_GROUP_DESC	4	/* B */
#define IKE_ATTR_GROUP_TYPE	5	/* B */
#define IKE_ATTR_GROUP_PRIME	6	/* V */
#define IKE_ATTR_GROUP_GEN1	7	/* V */
#define IKE_ATTR_GROUP_GEN2	8	/* V */
#define IKE_ATTR_GROUP_CURVE_A	9	/* V */
#define IKE_ATTR_GROUP_CURVE_B	10	/* V */
#define IKE_ATTR_LIFE_TYPE	11	/* B */
#define IKE_ATTR_LIFE_DURATION	12	/* V */
#define IKE_ATTR_PRF		13	/* B */
#define IKE_ATTR_KEY_LENGTH	14	/* B */
#define IKE_ATTR_FIELD_SIZE	15	/* B */
#define IKE_ATTR_GROUP_ORDER	16	/* V */

/* Phase 1 encryption algorithms. */
#define IKE_ENC_DES_CBC		1
#define IKE_ENC_IDEA_CBC	2
#define IKE_ENC_BLOWFISH_CBC	3
#define IKE_ENC_RC5_CBC		4
#define IKE_ENC_3DES_CBC	5
#define IKE_ENC_CAST_CBC	6
#define IKE_ENC_AES_CBC		7	/* RFC 3602; key length attribute */
#define IKE_ENC_CAMELLIA_CBC	8

/* Phase 1 hash algorithms (SHA-2: RFC 4868 practice). */
#define IKE_HASH_MD5		1
#define IKE_HASH_SHA1		2
#define IKE_HASH_TIGER		3
#define IKE_HASH_SHA2_256	4
#define IKE_HASH_SHA2_384	5
#define IKE_HASH_SHA2_512	6

/* Phase 1 authentication methods. */
#define IKE_AUTH_PSK		1
#define IKE_AUTH_DSS_SIG	2
#define IKE_AUTH_RSA_SIG	3
#define IKE_AUTH_RSA_ENC	4
#define IKE_AUTH_RSA_ENC_REV	5

/* Group descriptions, shared by phase 1 and phase 2 (PFS). */
#define IKE_GROUP_MODP_768	1
#define IKE_GROUP_MODP_1024	2
#define IKE_GROUP_EC2N_155	3
#define IKE_GROUP_EC2N_185	4
#define IKE_GROUP_MODP_1536	5
#define IKE_GROUP_MODP_2048	14
#define IKE_GROUP_MODP_3072	15
#define IKE_GROUP_MODP_4096	16
#define IKE_GROUP_MODP_6144	17
#define IKE_GROUP_MODP_8192	18
#define IKE_GROUP_ECP_256	19
#define IKE_GROUP_ECP_384	20
#define IKE_GROUP_ECP_521	21
#define IKE_GROUP_CURVE25519	31

/* Group types. */
#define IKE_GROUP_TYPE_MODP	1
#define IKE_GROUP_TYPE_ECP	2
#define IKE_GROUP_TYPE_EC2N	3

/* Life types, phase 1 (RFC 2409) and phase 2 (RFC 2407) alike. */
#define IKE_LIFE_SECONDS	1
#define IKE_LIFE_KILOBYTES	2

/* Phase 2 SA attribute types (RFC 2407 4.5, RFC 4304). */
#define IPSEC_ATTR_LIFE_TYPE	1	/* B */
#define IPSEC_ATTR_LIFE_DURATION 2	/* V */
#define IPSEC_ATTR_GROUP_DESC	3	/* B */
#define IPSEC_ATTR_ENCAP_MODE	4	/* B */
#define IPSEC_ATTR_AUTH_ALG	5	/* B */
#define IPSEC_ATTR_KEY_LENGTH	6	/* B */
#define IPSEC_ATTR_KEY_ROUNDS	7	/* B */
#define IPSEC_ATTR_COMP_DICT_SIZE 8	/* B */
#define IPSEC_ATTR_COMP_PRIV_ALG 9	/* V */
#define IPSEC_ATTR_ECN_TUNNEL	10	/* B, RFC 3168 */
#define IPSEC_ATTR_ESN		11	/* B, RFC 4304 */

/* Encapsulation modes (RFC 2407; UDP forms RFC 3947). */
#define IPSEC_ENCAP_TUNNEL	1
#define IPSEC_ENCAP_TRANSPORT	2
#define IPSEC_ENCAP_UDP_TUNNEL	3
#define IPSEC_ENCAP_UDP_TRANSPORT 4

/* Phase 2 authentication algorithms (RFC 2407 4.5, RFC 4868, RFC 4543). */
#define IPSEC_AUTH_HMAC_MD5	1
#define IPSEC_AUTH_HMAC_SHA1	2
#define IPSEC_AUTH_DES_MAC	3
#define IPSEC_AUTH_KPDK		4
#define IPSEC_AUTH_HMAC_SHA2_256 5
#define IPSEC_AUTH_HMAC_SHA2_384 6
#define IPSEC_AUTH_HMAC_SHA2_512 7
#define IPSEC_AUTH_HMAC_RIPEMD	8
#define IPSEC_AUTH_AES_XCBC_MAC	9
#define IPSEC_AUTH_AES_128_GMAC	11
#define IPSEC_AUTH_AES_192_GMAC	12
#define IPSEC_AUTH_AES_256_GMAC	13

/* Extended sequence number attribute value (RFC 4304). */
#define IPSEC_ESN_64BIT		1

/* Identification types (RFC 2407 4.6.2.1). */
#define IKE_ID_IPV4_ADDR	1
#define IKE_ID_FQDN		2
#define IKE_ID_USER_FQDN	3
#define IKE_ID_IPV4_ADDR_SUBNET	4
#define IKE_ID_IPV6_ADDR	5
#define IKE_ID_IPV6_ADDR_SUBNET	6
#define IKE_ID_IPV4_ADDR_RANGE	7
#define IKE_ID_IPV6_ADDR_RANGE	8
#define IKE_ID_DER_ASN1_DN	9
#define IKE_ID_DER_ASN1_GN	10
#define IKE_ID_KEY_ID		11

/* Notify message types: errors (RFC 2408 3.14.1). */
#define IKE_N_INVALID_PAYLOAD_TYPE	1
#define IKE_N_DOI_NOT_SUPPORTED		2
#define IKE_N_SITUATION_NOT_SUPPORTED	3
#define IKE_N_INVALID_COOKIE		4
#define IKE_N_INVALID_MAJOR_VERSION	5
#define IKE_N_INVALID_MINOR_VERSION	6
#define IKE_N_INVALID_EXCHANGE_TYPE	7
#define IKE_N_INVALID_FLAGS		8
#define IKE_N_INVALID_MESSAGE_ID	9
#define IKE_N_INVALID_PROTOCOL_ID	10
#define IKE_N_INVALID_SPI		11
#define IKE_N_INVALID_TRANSFORM_ID	12
#define IKE_N_ATTRIBUTES_NOT_SUPPORTED	13
#define IKE_N_NO_PROPOSAL_CHOSEN	14
#define IKE_N_BAD_PROPOSAL_SYNTAX	15
#define IKE_N_PAYLOAD_MALFORMED		16
#define IKE_N_INVALID_KEY_INFORMATION	17
#define IKE_N_INVALID_ID_INFORMATION	18
#define IKE_N_INVALID_CERT_ENCODING	19
#define IKE_N_INVALID_CERTIFICATE	20
#define IKE_N_CERT_TYPE_UNSUPPORTED	21
#define IKE_N_INVALID_CERT_AUTHORITY	22
#define IKE_N_INVALID_HASH_INFORMATION	23
#define IKE_N_AUTHENTICATION_FAILED	24
#define IKE_N_INVALID_SIGNATURE		25
#define IKE_N_ADDRESS_NOTIFICATION	26
#define IKE_N_NOTIFY_SA_LIFETIME	27
#define IKE_N_CERTIFICATE_UNAVAILABLE	28
#define IKE_N_UNSUPPORTED_EXCHANGE_TYPE	29
#define IKE_N_UNEQUAL_PAYLOAD_LENGTHS	30

/* Notify message types: status (RFC 2408 3.14.1, RFC 2407 4.6.3, RFC 3706). */
#define IKE_N_CONNECTED			16384
#define IKE_N_RESPONDER_LIFETIME	24576
#define IKE_N_REPLAY_STATUS		24577
#define IKE_N_INITIAL_CONTACT		24578
#define IKE_N_R_U_THERE			36136
#define IKE_N_R_U_THERE_ACK		36137

/* Dead Peer Detection vendor ID (RFC 3706 4.1): 16 bytes, version 1.0. */
#define IKE_DPD_VID_LEN 16
#define IKE_DPD_VID_INIT { \
	0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9, \
	0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00 }

/* Nonce length bounds (RFC 2409 5: 8 to 256 bytes). */
#define IKE_NONCE_MIN		8
#define IKE_NONCE_MAX		256

#endif
