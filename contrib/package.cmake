# `cpack -G DEB`: a Debian package of what `cmake --install` lays out, with
# maintainer scripts that create the group vpnrun and apply VPNRUN_PRIVILEGE
# (contrib/debian). Built with the prefix /usr.
set(VPNRUN_INSTALLED_BIN /usr/${CMAKE_INSTALL_BINDIR}/vpnrun)
configure_file(${CMAKE_CURRENT_LIST_DIR}/debian/postinst.in ${CMAKE_CURRENT_BINARY_DIR}/debian/postinst @ONLY
               FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME vpnrun)
set(CPACK_PACKAGE_VENDOR "vpnrun")
set(CPACK_PACKAGE_CONTACT "vpnrun maintainers <root@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "put chosen programs and containers behind a VPN, and nothing else")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# libnftables1: vpnrun dlopen()s it (lib/firewall.cpp), so shlibdeps cannot see it.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, nftables, libnftables1")
if(VPNRUN_PRIVILEGE STREQUAL "caps")
  string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS ", libcap2-bin")
endif()
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "openvpn | wireguard-tools")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_BINARY_DIR}/debian/postinst
    ${CMAKE_CURRENT_LIST_DIR}/debian/prerm
    ${CMAKE_CURRENT_LIST_DIR}/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_STRIP_FILES ON)
if(VPNRUN_FAULT_INJECTION)
  # A test build: say so in the version and the description.
  set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}~faultinjection")
  set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "TEST BUILD with fault injection (VPNRUN_FAULT): do not install")
endif()
include(CPack)
