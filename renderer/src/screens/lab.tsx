export function Lab() {
  return (
    <section className="screen">
      <h1 id="screen-title">Lab</h1>
    </section>
  );
}
