CREATE CONSTRAINT person_id FOR (p:Person) REQUIRE p.id IS UNIQUE;
CREATE INDEX person_name FOR (p:Person) ON (p.name);
CREATE TEXT INDEX person_bio FOR (p:Person) ON (p.bio);
CREATE FULLTEXT INDEX search FOR (n:Movie|Book) ON EACH [n.title, n.plot] OPTIONS {indexConfig: {`fulltext.analyzer`: 'english'}};
CREATE VECTOR INDEX embeddings FOR (d:Doc) ON (d.embedding) OPTIONS {indexConfig: {`vector.dimensions`: 1536, `vector.similarity_function`: 'euclidean'}};
CREATE INDEX city_name FOR (c:City) ON (c.name);
CREATE CONSTRAINT book_isbn FOR (b:Book) REQUIRE b.isbn IS UNIQUE;
CREATE INDEX seed_at FOR (s:Seed) ON (s.at);
