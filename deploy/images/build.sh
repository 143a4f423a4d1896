#!/usr/bin/env bash
# Builds the container images of the five Strata services with Jib (quarkus-container-image-jib), named as
# deploy/kubernetes uses them: ghcr.io/strata/<service>:0.1.0 (registry, group and tag come from each service's
# application.properties; the options below override them).
#
#   deploy/images/build.sh                      build all five into the local Docker/Podman daemon
#   deploy/images/build.sh --push               build and push all five to the registry (no daemon needed)
#
# Jib needs no Docker daemon to build, but it must pull the base image (registry.access.redhat.com/ubi9/
# openjdk-17-runtime) and then either push to a registry (--push) or hand the image to a local daemon
# (`docker load`). Before anything is built the script checks that what it needs is reachable; when it is not
# (as on the build machines: no container registry, no daemon), it prints "skipped: <why>" and exits 0, so it can
# sit in any pipeline. --require turns a skip into exit status 3.
#
# Options:
#   --push                push to the registry instead of loading into the local daemon
#   --registry HOST       registry host (default from application.properties: ghcr.io)
#   --group NAME          namespace in the registry (default: strata)
#   --tag TAG             image tag (default: 0.1.0, as in the manifests)
#   --only a,b            only these services (default: all five)
#   --platforms LIST      e.g. linux/amd64,linux/arm64 (more than one needs --push; default linux/amd64)
#   --base-image IMAGE    another base image (registry image, docker://IMAGE from the daemon, tar:///path.tar).
#                         Only the UBI OpenJDK images start through run-java.sh; with another base Jib runs
#                         `java -jar quarkus-run.jar` in /home/jboss, so the base needs `java` on its PATH
#   --insecure            allow a plain-HTTP / self-signed registry (e.g. localhost:5000)
#   --no-probe            skip the reachability checks and let Jib try (e.g. registries only reachable through
#                         a Java proxy setting)
#   --require             exit 3 instead of 0 when the build is skipped
#   --dry-run             check, print the Maven command, build nothing
#   -- ARGS               further arguments for Maven (e.g. -- -o)
#
# Registry credentials: Jib reads the docker/podman login (~/.docker/config.json, credential helpers,
# ~/.config/containers/auth.json), or QUARKUS_CONTAINER_IMAGE_USERNAME / QUARKUS_CONTAINER_IMAGE_PASSWORD.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ALL_SERVICES="auth-service kyc-service settings-service rates-service storage-gateway"

PUSH="" REGISTRY="" GROUP="" TAG="" ONLY="" PLATFORMS="" BASE_IMAGE="" INSECURE="" NO_PROBE="" REQUIRE="" DRY_RUN=""
MAVEN_ARGS=()

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; }
die() { echo "build.sh: $*" >&2; exit 2; }
need_arg() { if [ $# -lt 2 ] || [ -z "$2" ]; then die "$1 needs a value"; fi; }

while [ $# -gt 0 ]; do
  case "$1" in
    --push) PUSH=1 ;;
    --registry) need_arg "$@"; REGISTRY="$2"; shift ;;
    --group) need_arg "$@"; GROUP="$2"; shift ;;
    --tag) need_arg "$@"; TAG="$2"; shift ;;
    --only) need_arg "$@"; ONLY="$2"; shift ;;
    --platforms) need_arg "$@"; PLATFORMS="$2"; shift ;;
    --base-image) need_arg "$@"; BASE_IMAGE="$2"; shift ;;
    --insecure) INSECURE=1 ;;
    --no-probe) NO_PROBE=1 ;;
    --require) REQUIRE=1 ;;
    --dry-run) DRY_RUN=1 ;;
    -h|--help) usage; exit 0 ;;
    --) shift; MAVEN_ARGS=("$@"); break ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done

SERVICES=""
for s in ${ONLY//,/ }; do
  case " $ALL_SERVICES " in *" $s "*) SERVICES="$SERVICES $s" ;; *) die "unknown service $s (one of: $ALL_SERVICES)" ;; esac
done
SERVICES="${SERVICES# }"
[ -n "$SERVICES" ] || SERVICES="$ALL_SERVICES"

# A build-time property as the service's application.properties sets it (the one place the defaults live).
prop() {
  local file="$ROOT/$1/src/main/resources/application.properties"
  sed -n "s/^$2=//p" "$file" | tail -n 1
}

# The effective image settings: the options, else the first service's application.properties (all five agree).
first="${SERVICES%% *}"
EFF_REGISTRY="${REGISTRY:-$(prop "$first" quarkus.container-image.registry)}"
EFF_GROUP="${GROUP:-$(prop "$first" quarkus.container-image.group)}"
EFF_TAG="${TAG:-$(prop "$first" quarkus.container-image.tag)}"
EFF_BASE="${BASE_IMAGE:-$(prop "$first" quarkus.jib.base-jvm-image)}"
[ -n "$EFF_BASE" ] || EFF_BASE="registry.access.redhat.com/ubi9/openjdk-17-runtime:1.24"  # the Quarkus default
[ -n "$EFF_TAG" ] || die "no tag: set quarkus.container-image.tag in $first or pass --tag"
if [ -n "$PUSH" ] && [ -z "$EFF_REGISTRY" ]; then die "--push needs a registry (--registry HOST)"; fi
case "$PLATFORMS" in *,*) [ -n "$PUSH" ] || die "more than one platform needs --push (a daemon loads one platform)" ;; esac

# Registry host of an image reference (Docker's rule: the first path element is a host if it has a '.' or a ':'
# or is 'localhost'; otherwise the image is on Docker Hub).
registry_of() {
  local ref="$1" first_part
  case "$ref" in */*) first_part="${ref%%/*}" ;; *) first_part="" ;; esac
  case "$first_part" in
    *.*|*:*|localhost) echo "$first_part" ;;
    *) echo "registry-1.docker.io" ;;
  esac
}

# Whether a registry answers its /v2/ endpoint (any HTTP status, 401 included, counts as reachable). Prints the
# reason when it does not.
REASON=""
registry_reachable() {
  local host="$1" schemes="https" code err errfile
  [ -z "$INSECURE" ] || schemes="https http"
  REASON=""
  if ! command -v curl >/dev/null 2>&1; then
    # no curl: a plain TCP connect to the registry port
    local h="${host%%:*}" p="443"
    case "$host" in *:*) p="${host##*:}" ;; esac
    if timeout 5 bash -c "exec 3<>/dev/tcp/$h/$p" 2>/dev/null; then return 0; fi
    REASON="cannot connect to $h:$p"
    return 1
  fi
  errfile="$(mktemp)"
  for scheme in $schemes; do
    code="$(curl -sS -m 5 -o /dev/null -w '%{http_code}' "$scheme://$host/v2/" 2>"$errfile")" || true
    if [ -n "$code" ] && [ "$code" != "000" ]; then rm -f "$errfile"; return 0; fi
    err="$(tr '\n' ' ' <"$errfile" | sed 's/ *$//')"
    [ -z "$REASON" ] || REASON="$REASON; "
    REASON="$REASON$scheme://$host/v2/: ${err:-no answer}"
  done
  rm -f "$errfile"
  return 1
}

# A local daemon Jib can `docker load` into: docker, else podman (Quarkus picks the same way).
daemon_cli() {
  local cli
  for cli in docker podman; do
    if command -v "$cli" >/dev/null 2>&1 && timeout 10 "$cli" info >/dev/null 2>&1; then echo "$cli"; return 0; fi
  done
  return 1
}

BASE_REGISTRY=""
case "$EFF_BASE" in
  docker://*|tar://*) ;;
  *) BASE_REGISTRY="$(registry_of "$EFF_BASE")" ;;
esac

# Every prerequisite that is missing, so one run says all that stands in the way.
MISSING=()
if [ -z "$NO_PROBE" ]; then
  # 1. The base image.
  case "$EFF_BASE" in
    tar://*) [ -f "${EFF_BASE#tar://}" ] || MISSING+=("the base image file ${EFF_BASE#tar://} does not exist") ;;
    docker://*) daemon_cli >/dev/null \
      || MISSING+=("the base image $EFF_BASE is taken from a Docker/Podman daemon, and none answers") ;;
    *) registry_reachable "$BASE_REGISTRY" \
      || MISSING+=("the base image $EFF_BASE cannot be pulled: its registry is not reachable ($REASON)") ;;
  esac
  # 2. Where the images go.
  if [ -n "$PUSH" ]; then
    registry_reachable "$EFF_REGISTRY" \
      || MISSING+=("the images cannot be pushed: the registry $EFF_REGISTRY is not reachable ($REASON)")
  elif CLI="$(daemon_cli)"; then
    echo "images go to the local $CLI daemon"
  else
    MISSING+=("no Docker/Podman daemon answers ('docker info', 'podman info') to load the images into; --push sends them to a registry instead")
  fi
fi
if [ ${#MISSING[@]} -gt 0 ]; then
  echo "skipped: no container image built, this machine lacks what Jib needs:"
  for m in "${MISSING[@]}"; do echo "  - $m"; done
  echo "  (deploy/images/build.sh --help lists the options; the Maven build and the tests need no images)"
  if [ -n "$REQUIRE" ]; then exit 3; fi
  exit 0
fi

PL=""
for s in $SERVICES; do PL="$PL,$s"; done
CMD=("$ROOT/mvnw" -B -ntp package -DskipTests -pl "${PL#,}" -am
     -Dquarkus.container-image.build=true)
[ -z "$PUSH" ] || CMD+=(-Dquarkus.container-image.push=true)
[ -z "$REGISTRY" ] || CMD+=("-Dquarkus.container-image.registry=$REGISTRY")
[ -z "$GROUP" ] || CMD+=("-Dquarkus.container-image.group=$GROUP")
[ -z "$TAG" ] || CMD+=("-Dquarkus.container-image.tag=$TAG")
[ -z "$PLATFORMS" ] || CMD+=("-Dquarkus.jib.platforms=$PLATFORMS")
[ -z "$BASE_IMAGE" ] || CMD+=("-Dquarkus.jib.base-jvm-image=$BASE_IMAGE")
[ -z "$INSECURE" ] || CMD+=(-Dquarkus.container-image.insecure=true)
CMD+=(${MAVEN_ARGS[@]+"${MAVEN_ARGS[@]}"})

image_of() {
  local r="$EFF_REGISTRY" g="$EFF_GROUP"
  echo "${r:+$r/}${g:+$g/}$1:$EFF_TAG"
}

echo "base image: $EFF_BASE"
for s in $SERVICES; do echo "image: $(image_of "$s")"; done
echo "+ ${CMD[*]}"
[ -z "$DRY_RUN" ] || { echo "dry run: nothing built"; exit 0; }

cd "$ROOT"
"${CMD[@]}"

echo
for s in $SERVICES; do
  digest="$ROOT/$s/target/jib-image.digest"
  if [ -f "$digest" ]; then
    echo "built: $(image_of "$s") ($(cat "$digest"))"
  else
    echo "built: $(image_of "$s")"
  fi
done
if [ -n "$PUSH" ]; then
  echo "pushed; pin the digests in deploy/kubernetes/overlays/*/kustomization.yaml (images:) if you like"
fi
