CREATE POINT INDEX place_location FOR (p:Place) ON (p.location);
CREATE POINT INDEX FOR (s:Station) ON (s.position)
  OPTIONS {indexConfig: {`spatial.cartesian.min`: [-100.0, -100.0], `spatial.cartesian.max`: [100.0, 100.0]}};

CREATE FULLTEXT INDEX titles FOR (n:Movie|Book) ON EACH [n.title, n.plot];
CREATE FULLTEXT INDEX FOR ()-[r:REVIEWED]-() ON EACH [r.text]
  OPTIONS {indexConfig: {`fulltext.analyzer`: 'english', `fulltext.eventually_consistent`: true}};

CREATE VECTOR INDEX doc_embedding IF NOT EXISTS FOR (d:Document) ON (d.embedding)
OPTIONS { indexConfig: {
  `vector.dimensions`: 4,
  `vector.similarity_function`: 'euclidean'
}};
CREATE VECTOR INDEX FOR (c:Chunk) ON (c.embedding) OPTIONS {indexConfig: {`vector.dimensions`: 8, `vector.similarity_function`: 'cosine'}};
