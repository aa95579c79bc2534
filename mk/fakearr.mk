# The fake Sonarr/Radarr/Prowlarr/Lidarr/Readarr (tests/fakearr) and `make demo`.
# Python 3 standard library only (python3 is already in DEB_PACKAGES).
TEST_SUITES += fakearr

.PHONY: test-fakearr

test-fakearr:
	@timeout 300 python3 tests/fakearr/run_tests.py

# Installs what it needs, builds the host, runs it against fake apps.
demo: deps
	@$(MAKE) --no-print-directory $(BUILD)/starrhost
	@BUILD=$(BUILD) tests/demo/demo.sh
