# Translations: the UI and the CLI are written in Chinese; client/po/<lang>.po
# translate them into one gettext catalog, daiban.mo. Built whether or not the
# client is (DBN_CLIENT=OFF for a server), since the CLI uses it too; installed
# with the server package. The build tree's copy is build/client/locale
# (DAIBAN_LOCALE_DIR in the tests).
find_program(MSGFMT msgfmt REQUIRED)
set(DBN_CLIENT_LOCALE_DIR ${CMAKE_BINARY_DIR}/client/locale CACHE INTERNAL "")
set(po_dir ${PROJECT_SOURCE_DIR}/client/po)
file(STRINGS ${po_dir}/LINGUAS languages REGEX "^[^#]")
set(mo_files "")
foreach(lang ${languages})
    set(mo ${DBN_CLIENT_LOCALE_DIR}/${lang}/LC_MESSAGES/daiban.mo)
    add_custom_command(
        OUTPUT ${mo}
        COMMAND ${CMAKE_COMMAND} -E make_directory ${DBN_CLIENT_LOCALE_DIR}/${lang}/LC_MESSAGES
        COMMAND ${MSGFMT} --check -o ${mo} ${po_dir}/${lang}.po
        DEPENDS ${po_dir}/${lang}.po
        VERBATIM)
    list(APPEND mo_files ${mo})
    install(FILES ${mo} DESTINATION ${CMAKE_INSTALL_LOCALEDIR}/${lang}/LC_MESSAGES COMPONENT server)
endforeach()
add_custom_target(daiban-translations ALL DEPENDS ${mo_files})
