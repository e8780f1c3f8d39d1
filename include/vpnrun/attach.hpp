// Wire one container's network namespace to a VPN namespace, and unwire it.
// Used by vpnrun-hook (createRuntime / poststop) and `vpnrun gc`.
//
// Attach: the container process is pinned by a pidfd while its netns is opened
// by fd; the host's netns, the VPN namespace itself and any netns that already
// has a default route are refused. An address is leased (ipam), then a veth is
// created in the VPN namespace ("vc-" + 12 characters from the container id)
// with its peer born in the container's netns as eth0; addresses, routes, and
// the container's resolv.conf follow. Any failure undoes what was made, in
// reverse order. The kill switch already covers "vc-*" (see firewall.hpp):
// attaching never changes the ruleset.
//
// Detach works from the record written before anything was made (ipam's
// ctr/ID), never from the pid: it succeeds when run twice, when the container's
// netns is gone, and when nothing was ever attached.
#pragma once
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "vpnrun/addr.hpp"
#include "vpnrun/error.hpp"
#include "vpnrun/names.hpp"

namespace vpnrun {

// What one attachment made, as recorded in ctr/ID before each step.
struct Attachment {
  std::string netns;                // the VPN namespace
  unsigned long netns_inode = 0;    // its inode when attached: a namespace built again is another one
  unsigned long container_inode = 0;  // the container's netns
  IpAddr address;
  std::string link;                 // the VPN namespace's side of the veth
  int link_index = 0;               // 0 until the link exists

  std::string text() const;
  static Result<Attachment> parse(const std::string &text);
};

// "vc-" + 12 characters: the id's first 12 when they are lowercase hex (the
// short id `podman ps` shows), else 12 hex digits of a hash of the whole id.
// `attempt` > 0 gives other names, for when the first is taken.
IfName container_veth_name(const ContainerId &id, unsigned attempt = 0);

// The steps of attach, in order; each is a fault-injection point in test builds.
const std::vector<std::string> &attach_steps();
// The steps of detach (teardown, and gc's release), in order; each is a
// fault-injection point in test builds.
const std::vector<std::string> &detach_steps();

struct AttachRequest {
  NetnsName netns;
  ContainerId id;
  pid_t pid = 0;
  std::string bundle;                     // for the container's resolv.conf
  std::optional<std::string> sandbox_id;  // CRI-O's pod sandbox, whose resolv.conf the pod shares
};

struct AttachOutcome {
  bool already = false;  // attached by an earlier call (Podman runs createRuntime and prestart)
  IpAddr address;
  std::string link;
};
Result<AttachOutcome> attach(const AttachRequest &req);

struct DetachOutcome {
  bool was_attached = false;
};
Result<DetachOutcome> detach(const NetnsName &netns, const ContainerId &id);

// Release every attachment whose container (or VPN namespace) is gone, and
// the leases no record holds; remove the state of namespaces that are down.
struct GcOutcome {
  size_t released = 0;
  size_t kept = 0;
};
Result<GcOutcome> gc();

}  // namespace vpnrun
