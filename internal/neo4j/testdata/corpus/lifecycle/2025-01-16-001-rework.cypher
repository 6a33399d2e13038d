DROP INDEX product_name;
CREATE INDEX product_name FOR (p:Product) ON (p.name, p.sku);
DROP INDEX product_description IF EXISTS;
DROP INDEX never_existed IF EXISTS;
DROP CONSTRAINT never_existed_either IF EXISTS;
MATCH (p:Product) SET p.updated = true;
CALL { MATCH (p:Product) SET p.touched = 1 } IN TRANSACTIONS;
CREATE FULLTEXT INDEX `product search` FOR (p:Product) ON EACH [p.name, p.`description`];
