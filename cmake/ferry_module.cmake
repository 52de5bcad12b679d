# ferry_add_module(NAME SOURCES ... DEPS ...): one static library per folder, public headers in
# include/, private sources in src/ (or in sub-folders of the module's own folder, which is then
# the root of its private includes: "run/steps.hpp"), alias ferry::NAME.
function(ferry_add_module name)
    cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
    add_library(ferry_${name} STATIC ${ARG_SOURCES})
    set(private_root ${CMAKE_CURRENT_SOURCE_DIR})
    if(IS_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/src)
        set(private_root ${CMAKE_CURRENT_SOURCE_DIR}/src)
    endif()
    add_library(ferry::${name} ALIAS ferry_${name})
    target_include_directories(ferry_${name}
        PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
        PRIVATE ${private_root})
    target_compile_options(ferry_${name} PRIVATE ${FERRY_WARNINGS})
    target_link_libraries(ferry_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()
