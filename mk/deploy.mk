# Container image and Kubernetes manifests (Dockerfile, deploy/, tests/deploy/).
#   make deploy-check   render every kustomization, lint it, check it against
#                       what the binary reads (part of make test: suite deploy)
#   make image          build the image: docker where a daemon answers, else
#                       podman on a debootstrap-made base
#   make image-test     run the image's binary as its non-root user against the
#                       fake apps
# Both together are the suite "image" of make test: about 2.5 minutes on a
# fresh 2-core machine (apt, debootstrap, build), seconds when cached.

# yamllint and python3-yaml are Debian's. Debian's
# kubectl (kubernetes-client) is unpacked under build/tools by
# tests/deploy/kubectl.sh rather than installed: on some machines another
# package owns /usr/bin/kubectl and the install would fail.
DEB_PACKAGES += yamllint python3-yaml
TEST_SUITES += deploy image
# The Lua in deploy/ (config files, override scripts) is linted with the rest.
LUA_LINT_DIRS += deploy

IMAGE_NAME ?= starrhost
IMAGE_TAG ?= $(VERSION)
IMAGE ?= $(IMAGE_NAME):$(IMAGE_TAG)
# What make image and make image-test need beyond the build; installed when
# run as root, like make deps.
IMAGE_DEB_PACKAGES := podman debootstrap
DEPLOY_PYTHON ?= /usr/bin/python3

.PHONY: image image-test deploy-check test-deploy test-image image-deps

deploy-check: deps
	@$(MAKE) --no-print-directory test-deploy

# The suite; its last line is "N passed, N failed, N skipped".
test-deploy: $(BUILD)/starrhost
	@BUILD=$(BUILD) $(DEPLOY_PYTHON) tests/deploy/check.py

image-deps:
	@if ! docker info >/dev/null 2>&1; then tests/install-deps.sh $(IMAGE_DEB_PACKAGES); fi

image: image-deps
	@BUILD=$(BUILD) IMAGE=$(IMAGE) VERSION=$(VERSION) tests/deploy/build-image.sh

image-test: image
	@BUILD=$(BUILD) IMAGE=$(IMAGE) tests/deploy/image-test.sh

# The suite: build (its log in $(BUILD)/image-build.log), then image-test,
# whose last line is "N passed, N failed".
test-image: image-deps
	@mkdir -p $(BUILD)
	@if [ ! -f scripts/main.lua ]; then \
	    echo "skip  make image: no scripts/ to install yet"; echo "0 passed, 0 failed, 1 skipped"; \
	elif BUILD=$(BUILD) IMAGE=$(IMAGE) VERSION=$(VERSION) tests/deploy/build-image.sh \
	        >$(BUILD)/image-build.log 2>&1; then \
	    echo "ok    $$(tail -n 1 $(BUILD)/image-build.log)"; \
	    BUILD=$(BUILD) IMAGE=$(IMAGE) tests/deploy/image-test.sh; \
	else \
	    tail -n 40 $(BUILD)/image-build.log; echo "FAIL  make image"; echo "0 passed, 1 failed"; exit 1; \
	fi
