export function Driver() {
  return (
    <section className="screen">
      <h1 id="screen-title">Driver</h1>
    </section>
  );
}
