# ferry_add_module(NAME SOURCES ... DEPS ...): one static library per folder, public headers in
# include/, private sources in src/, alias ferry::NAME.
function(ferry_add_module name)
    cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
    add_library(ferry_${name} STATIC ${ARG_SOURCES})
    add_library(ferry::${name} ALIAS ferry_${name})
    target_include_directories(ferry_${name}
        PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
        PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
    target_compile_options(ferry_${name} PRIVATE ${FERRY_WARNINGS})
    target_link_libraries(ferry_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()
