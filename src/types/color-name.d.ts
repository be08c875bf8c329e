/** The CSS colour names and their sRGB values (the `color-name` package ships no types). */
declare module "color-name" {
  const colours: Record<string, [number, number, number]>;
  export default colours;
}
