# Container image and Kubernetes manifests (Dockerfile, deploy/, tests/deploy/).
#   make deploy-check   render every kustomization, lint it, check it against
#                       what the binary reads (part of make test: suite deploy)
#   make image          build the image: docker where a daemon answers, else
#                       podman on a debootstrap-made base (not in make test)
#   make image-test     run the image's binary as its non-root user against the
#                       fake apps (not in make test: see docs/kubernetes.md)

# yamllint and python3-yaml are Debian's; dpkg-dev gives dpkg-deb. Debian's
# kubectl (kubernetes-client) is unpacked under build/tools by
# tests/deploy/kubectl.sh rather than installed: on some machines another
# package owns /usr/bin/kubectl and the install would fail.
DEB_PACKAGES += yamllint python3-yaml
TEST_SUITES += deploy
# The Lua in deploy/ (config files, override scripts) is linted with the rest.
LUA_LINT_DIRS += deploy

IMAGE_NAME ?= starrhost
IMAGE_TAG ?= $(VERSION)
IMAGE ?= $(IMAGE_NAME):$(IMAGE_TAG)
# What make image and make image-test need beyond the build; installed when
# run as root, like make deps.
IMAGE_DEB_PACKAGES := podman debootstrap
DEPLOY_PYTHON ?= /usr/bin/python3

.PHONY: image image-test deploy-check test-deploy image-deps

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
