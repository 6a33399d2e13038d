:begin
CREATE CONSTRAINT product_sku FOR (p:Product) REQUIRE p.sku IS UNIQUE;
CREATE INDEX product_name FOR (p:Product) ON (p.name);
CREATE TEXT INDEX product_description FOR (p:Product) ON (p.description);
:commit

// Seed data: skipped by the parser, run by the replay.
CREATE (:Product {sku: 'a-1', name: 'Anvil; heavy', description: "it's /* not a comment */ // nor this"});
MERGE (c:Category {name: 'tools'});
MATCH (p:Product), (c:Category) MERGE (p)-[:IN]->(c);
