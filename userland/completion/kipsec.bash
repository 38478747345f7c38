# bash completion for kipsec(8)                              -*- shell-script -*-
#
# Objects and commands, the keywords of the tunnel, spi and sa grammar
# (userland/kipsec/parse.c) with lifetimes, algorithm names, the monitor
# and ike commands, and kipsec devices (from `ip link show type kipsec`). Installed by `make install` under
# share/bash-completion/completions.

_kipsec_aead_algs="aes-gcm-128 aes-gcm-192 aes-gcm-256 aes-ccm-128 aes-ccm-192
	aes-ccm-256 chacha20-poly1305 aes-gmac-128 aes-gmac-192 aes-gmac-256"
_kipsec_enc_algs="aes-cbc-128 aes-cbc-192 aes-cbc-256 aes-ctr-128 aes-ctr-192
	aes-ctr-256 3des des null"
_kipsec_auth_algs="hmac-sha256-128 hmac-sha384-192 hmac-sha512-256
	hmac-sha1-96 aes-xcbc-96 hmac-md5-96"
_kipsec_pid_protos="any tcp udp icmp icmpv6 ipv6-icmp sctp gre"

# The kipsec devices of the current network namespace, one a line.
_kipsec_links()
{
	local line
	if command -v ip >/dev/null 2>&1; then
		ip -o link show type kipsec 2>/dev/null | while read -r _ line _; do
			line=${line%:}
			printf '%s\n' "${line%%@*}"
		done
		return
	fi
	# Without ip(8): every ARPHRD_NONE device, kipsec's type (and others').
	for line in /sys/class/net/*/type; do
		[ "$(cat "$line" 2>/dev/null)" = 65534 ] || continue
		line=${line%/type}
		printf '%s\n' "${line##*/}"
	done
}

# _kipsec_compgen WORDS: complete the current word from WORDS.
_kipsec_compgen()
{
	local IFS=$' \t\n'
	# shellcheck disable=SC2207
	COMPREPLY=($(compgen -W "$1" -- "$cur"))
}

# _kipsec_unused KEYWORDS: those not given yet after the device.
_kipsec_unused()
{
	local k w out='' seen
	for k in $1; do
		seen=
		for w in "${args[@]:1}"; do
			[ "$w" = "$k" ] && { seen=1; break; }
		done
		[ -n "$seen" ] || out+="$k "
	done
	printf '%s' "$out"
}

_kipsec()
{
	local cur prev i obj='' cmd='' objidx=0
	local -a args
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()

	# Options come first; -batch takes a file ("-": stdin) and ends them;
	# -S takes kipsecd's control socket.
	if [ "$prev" = -S ]; then
		compopt -o filenames 2>/dev/null
		# shellcheck disable=SC2207
		COMPREPLY=($(compgen -f -- "$cur"))
		return
	fi
	if [ "$prev" = -batch ]; then
		compopt -o filenames 2>/dev/null
		# shellcheck disable=SC2207
		COMPREPLY=($(compgen -f -- "$cur"))
		[[ -z $cur || $cur == - ]] && COMPREPLY+=(-)
		return
	fi
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-batch) return ;;
		-S) i=$((i + 1)) ;;
		-*) ;;
		*) obj=${COMP_WORDS[i]}; objidx=$i; break ;;
		esac
	done
	if [ -z "$obj" ]; then
		if [[ $cur == -* ]]; then
			_kipsec_compgen "-j --json -s --stats -batch -force -S -V --version -h --help"
		else
			_kipsec_compgen "tunnel sa spi monitor ike help"
		fi
		return
	fi
	if ((COMP_CWORD == objidx + 1)); then
		case $obj in
		tunnel) _kipsec_compgen "set show list" ;;
		sa) _kipsec_compgen "add update del delete show list flush" ;;
		spi) _kipsec_compgen "alloc" ;;
		ike) _kipsec_compgen "up down status reload" ;;
		esac
		return
	fi
	# monitor takes nothing; ike's NAME is a kipsecd tunnel, not a device.
	case $obj in
	monitor | ike) return ;;
	esac
	cmd=${COMP_WORDS[objidx + 1]}
	# The words after the command; args[0] is the device.
	args=("${COMP_WORDS[@]:objidx + 2:COMP_CWORD - objidx - 2}")
	if ((${#args[@]} == 0)); then
		case $obj:$cmd in
		tunnel:set | tunnel:show | tunnel:list | spi:alloc | sa:*)
			_kipsec_compgen "$(_kipsec_links)" ;;
		esac
		return
	fi

	# A keyword's value.
	case $prev in
	dir) _kipsec_compgen "in out"; return ;;
	aead) _kipsec_compgen "$_kipsec_aead_algs"; return ;;
	enc) _kipsec_compgen "$_kipsec_enc_algs"; return ;;
	auth) _kipsec_compgen "$_kipsec_auth_algs"; return ;;
	esn) _kipsec_compgen "on off"; return ;;
	ah-align) _kipsec_compgen "4 8"; return ;;
	replay-window) _kipsec_compgen "off 32 64 128 256 1024"; return ;;
	icv) _kipsec_compgen "64 96 128"; return ;;
	lifetime) _kipsec_compgen "soft hard"; return ;;
	soft | hard)
		[ "${COMP_WORDS[COMP_CWORD - 2]}" = lifetime ] &&
			_kipsec_compgen "time use-time bytes packets"
		return ;;
	time | use-time | bytes | packets) return ;;
	key)
		compopt -o filenames 2>/dev/null
		# shellcheck disable=SC2207
		COMPREPLY=($(compgen -f -- "$cur"))
		[[ -z $cur || $cur == - ]] && COMPREPLY+=(-)
		return ;;
	proto)
		if [[ " ${args[*]} " == *" proxy-id "* ]]; then
			_kipsec_compgen "$_kipsec_pid_protos"
		else
			_kipsec_compgen "esp ah"
		fi
		return ;;
	local | remote | spi | min | max | seq | lport | rport) return ;;
	esac

	case $obj:$cmd in
	tunnel:set) _kipsec_compgen "$(_kipsec_unused "local remote")" ;;
	spi:alloc) _kipsec_compgen "$(_kipsec_unused "proto min max")" ;;
	sa:add | sa:update)
		if [[ " ${args[*]} " == *" proxy-id "* ]]; then
			# Only the proxy ID's own words follow it.
			local -a pid=("${args[@]}")
			while [ "${pid[0]}" != proxy-id ]; do pid=("${pid[@]:1}"); done
			args=("${pid[@]}")
			_kipsec_compgen "$(_kipsec_unused "local remote proto lport rport")"
		else
			local words
			if [[ " ${args[*]} " == *" proto ah "* ]]; then
				# AH: an integrity algorithm only.
				words="$(_kipsec_unused "dir spi proto auth replay-window esn ah-align seq")"
			else
				words="$(_kipsec_unused "dir spi proto aead enc auth icv replay-window esn seq")"
			fi
			words+=" lifetime proxy-id"
			# A cipher, an AEAD or an integrity algorithm needs its key.
			case ${args[${#args[@]} - 2]} in
			aead | enc | auth) words="key" ;;
			esac
			_kipsec_compgen "$words"
		fi ;;
	sa:del | sa:delete | sa:show | sa:list)
		_kipsec_compgen "$(_kipsec_unused "dir spi proto")" ;;
	esac
} &&
	complete -F _kipsec kipsec
