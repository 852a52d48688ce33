// Runs once, when the mongo container starts on an empty data volume (the image's
// /docker-entrypoint-initdb.d convention), as the root user. It creates the least-privilege
// user the silos connect as: what readWrite gives on every tenant database, plus the three
// privileges database-per-tenant needs beyond it (listCollections to check a tenant's marker,
// createIndex at provisioning, dropDatabase at deletion). No user administration, no cluster
// administration, nothing on the admin database's users.
const admin = db.getSiblingDB("admin");
admin.createRole({
  role: "orleansSocialTenants",
  privileges: [
    {
      resource: { db: "", collection: "" },
      actions: ["find", "insert", "update", "remove", "createCollection", "createIndex", "listIndexes", "listCollections", "dropDatabase"],
    },
  ],
  roles: [],
});
admin.createUser({
  user: process.env.MONGO_APP_USER,
  pwd: process.env.MONGO_APP_PASSWORD,
  roles: [{ role: "orleansSocialTenants", db: "admin" }],
});
