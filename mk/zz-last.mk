# Runs last among the fragments: the sanitizer and valgrind reruns come after
# every area's own suites.
TEST_SUITES += asan valgrind
