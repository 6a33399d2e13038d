MATCH (p:Person) SET p.seen = true;
