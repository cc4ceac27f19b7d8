// Makes the stack's mongod the one member of replica set rs0 (once), then waits until it is primary.
// Run by the mongo-init job of compose.yaml: mongosh mongodb://mongo:27017/?directConnection=true
const deadlineMs = Date.now() + 60000;

try {
  rs.status();
  print("replica set rs0: already initiated");
} catch (error) {
  if (error.codeName !== "NotYetInitialized") throw error;
  rs.initiate({ _id: "rs0", members: [{ _id: 0, host: "mongo:27017" }] });
  print("replica set rs0: initiated");
}

// groupql writes with w: "majority" to the primary: migrate would fail against a secondary.
while (!db.hello().isWritablePrimary) {
  if (Date.now() > deadlineMs) throw new Error("mongo:27017 did not become primary within 60 s");
  sleep(500);
}
print("replica set rs0: mongo:27017 is primary");
