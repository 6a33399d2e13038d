// Settings equal to Neo4j's defaults compare equal to leaving them out.
CREATE FULLTEXT INDEX notes FOR (n:Note) ON EACH [n.body]
  OPTIONS {indexProvider: 'fulltext-1.0', indexConfig: {`fulltext.analyzer`: 'standard-no-stop-words', `fulltext.eventually_consistent`: false}};
CREATE POINT INDEX FOR (h:Home) ON (h.at)
  OPTIONS {indexConfig: {`spatial.wgs-84.min`: [-180.0, -90.0], `spatial.wgs-84.max`: [180.0, 90.0]}};
CREATE VECTOR INDEX img FOR (i:Image) ON (i.vec)
  OPTIONS {indexConfig: {`vector.dimensions`: 3, `vector.similarity_function`: 'COSINE', `vector.hnsw.m`: 16}};
CREATE RANGE INDEX ranged FOR (x:X) ON (x.y) OPTIONS {indexProvider: 'range-1.0'};
