# Debian packages with CPack: `cpack -G DEB` in the build folder (README,
# "The Debian packages"). Two packages, so a server needs no GTK:
#   daiban         the services, the CLI, the systemd units, the data files
#                  (catalog, calendar, org.ini), the translations, and the
#                  `daiban` system user (packaging/deb/postinst, prerm, postrm);
#   daiban-client  the GTK 4 client (needs daiban for its data files).
# Dependencies come from dpkg-shlibdeps (Debian's own library packages:
# libzmq5, libsqlite3-0, libmsgpackc2, libglib2.0-0, libjson-glib-1.0-0,
# libgtk-4-1 ...), so they follow what the binaries actually link.

set(CPACK_PACKAGE_NAME daiban)
set(CPACK_PACKAGE_VENDOR "daiban")
set(CPACK_PACKAGE_CONTACT "daiban maintainers <daiban@localhost>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
# The binaries hold their data, locale and unit paths from the prefix they
# were configured with (DBN_DATA_INSTALL_DIR, DBN_LOCALE_DIR, ExecStart), so
# the package installs under that same prefix: configure a package build with
# -DCMAKE_INSTALL_PREFIX=/usr.
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    message(STATUS "cpack -G DEB would install under ${CMAKE_INSTALL_PREFIX}: configure with -DCMAKE_INSTALL_PREFIX=/usr for a Debian package")
endif()
set(CPACK_GENERATOR DEB)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL server)
if(DBN_CLIENT)
    list(APPEND CPACK_COMPONENTS_ALL client)
endif()
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)

set(CPACK_DEBIAN_SERVER_PACKAGE_NAME daiban)
# The first line is the summary (CPackDeb indents the rest itself).
set(CPACK_DEBIAN_SERVER_DESCRIPTION
    "群众事务代办制 for townships: services and command line
daiban-intake, daiban-routing, daiban-deadline and daiban-evaluation with their systemd units,
the daiban command line (daiban up, status, case, keys ...), the matter
catalog, the working-day calendar and the default organisation (org.ini).
Installing creates the daiban system user and /var/lib/daiban with the
service keys; no unit is enabled: enable those this host runs.")
# adduser for the system user; runuser (util-linux, essential) for the keys.
set(CPACK_DEBIAN_SERVER_PACKAGE_DEPENDS "adduser")
configure_file(${PROJECT_SOURCE_DIR}/packaging/deb/postinst.in ${CMAKE_BINARY_DIR}/deb/postinst
               @ONLY FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
               GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_EXTRA
    ${CMAKE_BINARY_DIR}/deb/postinst
    ${PROJECT_SOURCE_DIR}/packaging/deb/prerm
    ${PROJECT_SOURCE_DIR}/packaging/deb/postrm)
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_CLIENT_PACKAGE_NAME daiban-client)
set(CPACK_DEBIAN_CLIENT_PACKAGE_SECTION x11)
set(CPACK_DEBIAN_CLIENT_DESCRIPTION
    "群众事务代办制 for townships: the GTK 4 desktop client
The program a village station or a window of the township centre keeps
open all day; it connects to the daiban services with its own key.")
# The client reads org.ini, the calendar and the translations of daiban.
set(CPACK_DEBIAN_CLIENT_PACKAGE_DEPENDS "daiban (= ${PROJECT_VERSION}-1)")

include(CPack)
