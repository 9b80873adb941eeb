export function Applications() {
  return (
    <section className="screen">
      <h1 id="screen-title">Applications</h1>
    </section>
  );
}
