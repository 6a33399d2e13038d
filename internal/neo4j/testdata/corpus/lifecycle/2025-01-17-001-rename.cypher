DROP CONSTRAINT product_sku;
CREATE CONSTRAINT product_sku_unique IF NOT EXISTS
FOR (p:Product)
REQUIRE p.sku IS UNIQUE
OPTIONS {indexProvider: 'range-1.0'};
