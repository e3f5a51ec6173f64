# The four build helpers every CMakeLists in daiban uses (style rule 13).

# dbn_generate_codec(OUT_SOURCES OUT_HEADERS SCHEMA...)
# Runs schemas/gen/dbn_codegen.py over the schema files at build time. The
# output is deterministic and lives in ${CMAKE_BINARY_DIR}/gen.
function(dbn_generate_codec out_sources out_headers)
    set(gen_dir ${CMAKE_BINARY_DIR}/gen)
    set(gen_script ${PROJECT_SOURCE_DIR}/schemas/gen/dbn_codegen.py)
    if(NOT EXISTS ${gen_script})
        message(WARNING "schemas/gen/dbn_codegen.py missing: no message code generated")
        set(${out_sources} "" PARENT_SCOPE)
        set(${out_headers} "" PARENT_SCOPE)
        return()
    endif()
    execute_process(
        COMMAND ${Python3_EXECUTABLE} ${gen_script} --list-outputs --out ${gen_dir} ${ARGN}
        OUTPUT_VARIABLE listing
        RESULT_VARIABLE rc
        OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "dbn_codegen.py --list-outputs failed (${rc})")
    endif()
    string(REPLACE "\n" ";" outputs "${listing}")
    set(srcs "")
    set(hdrs "")
    foreach(f ${outputs})
        if(f MATCHES "\\.c$")
            list(APPEND srcs ${f})
        elseif(f MATCHES "\\.h$")
            list(APPEND hdrs ${f})
        endif()
    endforeach()
    add_custom_command(
        OUTPUT ${outputs}
        COMMAND ${Python3_EXECUTABLE} ${gen_script} --out ${gen_dir} ${ARGN}
        DEPENDS ${gen_script} ${ARGN}
        COMMENT "Generating message codec from schemas/"
        VERBATIM)
    set(${out_sources} ${srcs} PARENT_SCOPE)
    set(${out_headers} ${hdrs} PARENT_SCOPE)
endfunction()

# dbn_add_test(NAME SOURCES... [LIBS ...] [TIMEOUT s] [LABELS ...] [ENV ...])
# One GTest executable registered with ctest, run with --tap semantics by GTest.
function(dbn_add_test name)
    cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;LABELS;ENV;DEPENDS" ${ARGN})
    add_executable(${name} ${T_SOURCES})
    target_link_libraries(${name} PRIVATE libdaiban ${T_LIBS})
    add_test(NAME ${name} COMMAND ${name})
    if(NOT T_TIMEOUT)
        set(T_TIMEOUT 300)
    endif()
    set(env "G_DEBUG=fatal-criticals" "DAIBAN_BUILD_DIR=${CMAKE_BINARY_DIR}"
            "DAIBAN_SOURCE_DIR=${PROJECT_SOURCE_DIR}" ${T_ENV})
    set_tests_properties(${name} PROPERTIES TIMEOUT ${T_TIMEOUT} ENVIRONMENT "${env}")
    if(T_LABELS)
        set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}")
    endif()
    if(T_DEPENDS)
        add_dependencies(${name} ${T_DEPENDS})
    endif()
endfunction()

# dbn_add_service(NAME SOURCES... [LIBS ...])
# One binary per service, installed to bin/.
function(dbn_add_service name)
    cmake_parse_arguments(S "" "" "SOURCES;LIBS" ${ARGN})
    add_executable(${name} ${S_SOURCES})
    target_link_libraries(${name} PRIVATE libdaiban ${S_LIBS})
    install(TARGETS ${name} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endfunction()

# dbn_compile_resources(OUT_SOURCE XML)
# glib-compile-resources with --generate-dependencies feeding DEPENDS.
function(dbn_compile_resources out_source xml)
    find_program(GLIB_COMPILE_RESOURCES glib-compile-resources REQUIRED)
    get_filename_component(xml_abs ${xml} ABSOLUTE)
    get_filename_component(xml_dir ${xml_abs} DIRECTORY)
    get_filename_component(xml_name ${xml_abs} NAME_WE)
    execute_process(
        COMMAND ${GLIB_COMPILE_RESOURCES} --generate-dependencies --sourcedir=${xml_dir} ${xml_abs}
        OUTPUT_VARIABLE deps OUTPUT_STRIP_TRAILING_WHITESPACE)
    string(REPLACE "\n" ";" deps "${deps}")
    set(out ${CMAKE_CURRENT_BINARY_DIR}/${xml_name}-resources.c)
    add_custom_command(
        OUTPUT ${out}
        COMMAND ${GLIB_COMPILE_RESOURCES} --target=${out} --sourcedir=${xml_dir} --generate-source ${xml_abs}
        DEPENDS ${xml_abs} ${deps}
        VERBATIM)
    set(${out_source} ${out} PARENT_SCOPE)
endfunction()
