// Deleting a link, or closing an nftables socket after a commit that deleted
// something, makes the kernel wait for an RCU grace period (15-30 ms on a small
// VM) long after the object has gone from view. `down` need not wait for the
// memory to be reclaimed, only for the objects to be gone: a short-lived child
// process carries the wait.
#pragma once
#include "vpnrun/error.hpp"
#include "vpnrun/names.hpp"

namespace vpnrun {

// Delete link NAME in the current network namespace and return once the kernel
// has announced it gone (RTM_DELLINK on RTNLGRP_LINK), which it does before its
// reclaim. The request is sent by a child that keeps the caller's nftables
// sockets open, so their release happens in the child too; it closes every
// other descriptor (locks included). ENODEV when the link is not there.
Status delete_link_detached(const IfName &name);

}  // namespace vpnrun
