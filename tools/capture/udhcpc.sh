#!/bin/sh
# busybox udhcpc event script for the capture guest: applies the lease from QEMU's user-mode network.
case "$1" in
    deconfig) ip addr flush dev "$interface" ;;
    bound|renew)
        ip addr flush dev "$interface"
        ip addr add "$ip/${mask:-24}" dev "$interface"
        [ -n "$router" ] && ip route add default via "${router%% *}" dev "$interface"
        echo "udhcpc: $interface $ip/${mask:-24} router ${router:-none}"
        ;;
esac
exit 0
