# The full fault-injection sweep (issue 6): t0901 with every N of the
# allocation loops instead of every k-th (a few minutes under ASan).
exec env FI_FULL=1 sh "$(dirname "$0")/t0901-fault-injection.sh"
