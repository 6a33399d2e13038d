package pgcluster

// Exported for the tests of package pgcluster_test, which use pgtest (that imports this package).
const OwnerFile = ownerFile

var Unprivileged = unprivileged
